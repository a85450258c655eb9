"""Reads catalogue.toml into validated, frozen models once, and looks codes and states up in it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from ..models import Provider

CATALOGUE_FILE = "catalogue.toml"

Category = Literal[
    "payment",
    "plan_or_package",
    "stock",
    "account_balance",
    "access_or_credentials",
    "rate_limit",
    "operator_or_network",
    "request_validation",
    "device_or_installation",
    "order_lifecycle",
    "provider_internal",
    "unknown",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
Actor = Literal["partner_operations", "end_customer", "provider_support"]
RetryVerdict = Literal["yes", "no", "later", "after_fix"]
Charged = Literal["yes", "no", "likely", "unknown", "refunded", "partially_refunded"]
Issued = Literal["yes", "no", "likely", "unknown"]
Kind = Literal["failure_reason", "error_code", "http_status", "state"]
# "ok" only for an eSIM state that is itself the answer ("healthy, N MB left").
Outcome = Literal["failed", "stuck", "attention", "unknown", "ok"]


def _known_provider(key: str) -> str:
    if key != "any" and key not in Provider:
        raise ValueError(f"{key!r} is not a registered provider (nor 'any')")
    return key


#: A registered provider's key, or "any" for what every provider shares.
ProviderKey = Annotated[str, AfterValidator(_known_provider)]
ThresholdName = Literal["processing", "pending", "downloaded", "unused"]
GenericName = Literal[
    "failed_unknown_reason", "failed_no_reason", "unknown_status", "unknown_code", "http_4xx"
]
GENERIC_NAMES: tuple[str, ...] = GenericName.__args__  # type: ignore[attr-defined]

#: What catalogue texts may say in braces; the explainer fills them from the order.
PLACEHOLDERS = frozenset(
    {"age", "threshold", "since", "updated", "account", "user", "plan", "validity"}
    # an eSIM's facts (failures/esims.py)
    | {"iccid", "esim_status", "data_left", "apn", "expires", "retry_at"}
)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
#: Tools a text may name in braces; each face words them (`tools.terms`), `fill` leaves them.
TOOL_NAMES = frozenset({"list_orders", "get_order", "explain_failure", "get_esim"})

# Caps keep every explanation small enough for a model's context, whatever the file says.
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=80)]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=300)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=200)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,40}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ImpactFacts(_Strict):
    """What the failure means for the end customer, as far as the documentation says."""

    charged: Charged
    esim_issued: Issued
    note: Sentence


class Advice(_Strict):
    """What is said about one code, state or status class."""

    title: Title
    category: Category
    outcome: Outcome = "failed"
    diagnosis: Sentence
    cause: Sentence
    impact: ImpactFacts
    retry: RetryVerdict
    retry_note: Sentence | None = None
    who_acts: tuple[Actor, ...] = Field(min_length=1, max_length=3)
    next_steps: tuple[Sentence, ...] = Field(min_length=1, max_length=6)
    ask_support: Sentence | None = None
    references: tuple[Reference, ...] = Field(min_length=1, max_length=4)

    @model_validator(mode="after")
    def _known_placeholders(self) -> Advice:
        for text in self.templated():
            unknown = set(_PLACEHOLDER.findall(text)) - PLACEHOLDERS - TOOL_NAMES
            if unknown:
                raise ValueError(f"unknown placeholder(s) {sorted(unknown)} in {text!r}")
        if len(set(self.who_acts)) != len(self.who_acts):
            raise ValueError("who_acts repeats an actor")
        return self

    def templated(self) -> list[str]:
        """The texts whose {placeholders} are filled in."""
        texts = [self.diagnosis, self.cause, self.impact.note, *self.next_steps]
        texts += [t for t in (self.retry_note, self.ask_support) if t]
        return texts


class Entry(Advice):
    """One documented code or state of one provider (or of any)."""

    provider: ProviderKey
    code: Code
    kind: Kind
    http_status: int | None = Field(None, ge=100, le=599)
    aliases: tuple[Code, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.code}"

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.code, *self.aliases)


class Generic(Advice):
    """What is said when no entry matches, chosen by status class."""


class Plain(_Strict):
    """Plain words for healthy states: `provider:WIRE_STATUS` and subscription statuses."""

    status: dict[str, Sentence]
    subscription: dict[str, Sentence]


class Wait(_Strict):
    """A wire status that waits on someone: the state entry saying it is stuck, and which
    threshold (a `Thresholds` field) says when."""

    state: Code
    threshold: ThresholdName


class Answers(_Strict):
    """What a provider's order answers always show, so their silence means something."""

    esims_listed_with_order: bool = False


class Catalogue(_Strict):
    version: Literal[1]
    entries: tuple[Entry, ...] = Field(alias="entry", min_length=1)
    generic: dict[GenericName, Generic]
    plain: Plain
    #: provider -> wire status (upper case) -> its wait
    waiting: dict[ProviderKey, dict[Code, Wait]] = Field(default_factory=dict)
    answers: dict[ProviderKey, Answers] = Field(default_factory=dict)
    #: provider (or "any") -> the names of the public documents its references cite
    sources: dict[ProviderKey, tuple[Title, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        seen: set[tuple[str, str]] = set()
        for entry in self.entries:
            for code in entry.codes:
                key = (entry.provider, code.upper())
                if key in seen:
                    raise ValueError(f"two entries for {entry.provider}:{code}")
                seen.add(key)
            if entry.kind != "state" and entry.outcome != "failed":
                raise ValueError(f"{entry.key}: a code's outcome is 'failed'")
        missing = set(GENERIC_NAMES) - set(self.generic)
        if missing:
            raise ValueError(f"generic explanations missing: {sorted(missing)}")
        for provider, waits in self.waiting.items():
            for status, wait in waits.items():
                if status != status.upper():
                    raise ValueError(f"waiting.{provider}.{status}: write the status upper case")
                if self.state(provider, wait.state) is None:
                    raise ValueError(f"waiting.{provider}.{status}: no state entry {wait.state}")
        return self

    def find(self, provider: str, code: str, kinds: frozenset[str]) -> Entry | None:
        """The provider's own entry for `code`, else the any-provider one; case-insensitive."""
        wanted = code.strip().upper()
        for owner in (provider, "any"):
            for entry in self.entries:
                if (
                    entry.provider == owner
                    and entry.kind in kinds
                    and wanted in (c.upper() for c in entry.codes)
                ):
                    return entry
        return None

    def state(self, provider: str, name: str) -> Entry | None:
        return self.find(provider, name, frozenset({"state"}))

    def wait(self, provider: str, wire_status: str) -> Wait | None:
        """How a provider's waiting wire status turns stuck; None when it waits on nobody."""
        return self.waiting.get(provider, {}).get(wire_status.strip().upper())  # type: ignore[call-overload]

    def answers_of(self, provider: str) -> Answers:
        return self.answers.get(provider) or Answers()

    def references_for(self, provider: str, references: tuple[str, ...]) -> list[str]:
        """The references an explanation of `provider` cites: a reference to another
        provider's documents is left out (a generic text serves every provider)."""
        others = tuple(
            name
            for owner, names in self.sources.items()
            if owner not in (provider, "any")
            for name in names
        )
        return [r for r in references if not (others and r.startswith(others))]

    def entry(self, key: str) -> Entry:
        """An entry by its `provider:CODE` key (tests and tools that name entries)."""
        for entry in self.entries:
            if entry.key == key:
                return entry
        raise KeyError(key)


def parse_catalogue(text: str) -> Catalogue:
    """Validate catalogue TOML; raises `tomllib.TOMLDecodeError` or pydantic's ValidationError."""
    return Catalogue.model_validate(tomllib.loads(text))


@cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped in this package, read and validated on first use only."""
    text = resources.files(__package__).joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return parse_catalogue(text)


def fill(template: str, values: Mapping[str, str]) -> str:
    """Put the explainer's values into a catalogue text; other braces stay as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
