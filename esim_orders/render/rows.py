"""The neutral rows a view is built into: labelled facts, sentences, steps and notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Aside",
    "Bar",
    "Block",
    "Card",
    "Fact",
    "Head",
    "Line",
    "Note",
    "Part",
    "Sentence",
    "Steps",
]

Style = Literal["plain", "code", "muted"]


@dataclass(frozen=True)
class Part:
    """A piece of a value; `code` for ids and codes, `muted` for asides."""

    text: str
    style: Style = "plain"


@dataclass(frozen=True)
class Fact:
    """One labelled value. `provider_data` names what the value is (it is then shown as data,
    never as advice); `quoted` puts it in quotes; `sep` joins label and value in text."""

    label: str
    parts: tuple[Part, ...]
    sep: str = " "
    quoted: bool = False
    provider_data: str | None = None

    @classmethod
    def of(cls, label: str, value: str, style: Style = "plain", **kw: object) -> Fact:
        return cls(label, (Part(value, style),), **kw)  # type: ignore[arg-type]

    @property
    def value(self) -> str:
        return "".join(part.text for part in self.parts)


@dataclass(frozen=True)
class Line:
    """Facts that share one text line, joined by `joiner`; one row each elsewhere."""

    facts: tuple[Fact, ...]
    joiner: str = " · "


@dataclass(frozen=True)
class Sentence:
    """A sentence of its own, e.g. a diagnosis."""

    text: str


@dataclass(frozen=True)
class Aside:
    """A secondary line, e.g. where the advice comes from."""

    text: str


@dataclass(frozen=True)
class Steps:
    """A numbered list under a heading."""

    label: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    """A text to copy as it is, line breaks kept, under a heading."""

    label: str
    text: str


@dataclass(frozen=True)
class Bar:
    """A labelled share of a whole, e.g. the data left of an eSIM's allowance: `fraction`
    (0 to 1) drawn as a bar, `text` beside it saying the numbers."""

    label: str
    fraction: float
    text: str


Block = Fact | Line | Sentence | Aside | Steps | Note | Bar


@dataclass(frozen=True)
class Head:
    """What the card is about. Text reads `{lead} {subject}: {title} [{status}] · {notes}`."""

    subject: str
    status: str | None = None
    provider_status: str | None = None
    title: str | None = None
    lead: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Card:
    """One view as rows; `tone` is failed, stuck, ok or empty (neutral)."""

    head: Head
    blocks: tuple[Block, ...]
    tone: str = ""
