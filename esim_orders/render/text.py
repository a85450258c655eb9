"""Rows as compact plain text, for a model's context and a terminal; one fact per line, and a
listing's order on one line."""

from __future__ import annotations

from ..esim_models import EsimAnswer, EsimState
from ..failures.explanation import Explanation
from ..models import Order
from .esim import esim_answer_cards, order_with_esims_rows
from .explanation import explanation_rows
from .listing import Cell, ListingLine
from .order import order_card_rows, status_label, when
from .rows import Aside, Bar, Block, Card, Fact, Head, Line, Note, Sentence, Steps

__all__ = [
    "card_lines",
    "card_text",
    "esim_answer_text",
    "explanation_text",
    "fact_text",
    "line_text",
    "order_card",
]


def order_card(order: Order, esims: list[EsimState] | None = None) -> str:
    """The order's card; with `esims`, each eSIM's state and data left under it."""
    if esims:
        return card_text(order_with_esims_rows(order, esims))
    return card_text(order_card_rows(order))


def esim_answer_text(answer: EsimAnswer) -> str:
    """One short card per eSIM: state, data left of total, valid until, last top-up."""
    cards = [card_text(card) for card in esim_answer_cards(answer)]
    if not cards:
        return answer.note or "No eSIM to show."
    return "\n\n".join(cards)


def explanation_text(expl: Explanation, *, with_note: bool = True) -> str:
    """A few lines: the verdict, why, who acts, what next; provider text marked as data."""
    return card_text(explanation_rows(expl, with_note=with_note))


def card_text(card: Card) -> str:
    return "\n".join(card_lines(card))


def card_lines(card: Card) -> list[str]:
    lines = [head_text(card.head)]
    for block in card.blocks:
        lines += block_lines(block)
    return lines


def head_text(head: Head) -> str:
    subject = f"{head.lead} {head.subject}" if head.lead else head.subject
    label = status_label(head.status, head.provider_status) if head.status else None
    if head.title:
        text = f"{subject}: {head.title}" + (f" [{label}]" if label else "")
    else:
        text = f"{subject}: {label or ''}".rstrip(": ")
    return " · ".join([text, *head.notes]) if head.notes else text


def fact_text(fact: Fact) -> str:
    label = fact.label + (f" ({fact.provider_data})" if fact.provider_data else "")
    value = f'"{fact.value}"' if fact.quoted else fact.value
    return f"{label}{fact.sep}{value}"


def block_lines(block: Block) -> list[str]:
    if isinstance(block, Fact):
        return [fact_text(block)]
    if isinstance(block, Line):
        return [block.joiner.join(fact_text(f) for f in block.facts)]
    if isinstance(block, Sentence | Aside):
        return [block.text]
    if isinstance(block, Steps):
        return [f"{block.label}:", *(f"{i}. {item}" for i, item in enumerate(block.items, 1))]
    if isinstance(block, Note):
        return [f"{block.label}:", *("  " + line for line in block.text.splitlines())]
    if isinstance(block, Bar):
        return [f"{block.label} {bar_text(block.fraction)} {block.text}"]
    raise TypeError(f"no text for {block!r}")


BAR_WIDTH = 10


def bar_text(fraction: float) -> str:
    """`[######----]`: a share in ten characters a terminal and a model both read."""
    filled = round(min(max(fraction, 0.0), 1.0) * BAR_WIDTH)
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]"


def line_text(line: ListingLine) -> str:
    """`ref | created | status | type | code … | plan | price | reason "…"`; a field the order
    has not is left out, except the date, which says it is unknown."""
    return " | ".join(cell_text(c) for c in line.cells if c.value or c.kind == "created")


def cell_text(cell: Cell) -> str:
    if cell.kind == "created":
        return cell.value or when(None)
    if cell.kind == "code":
        return f"code {cell.value}"
    if cell.kind == "reason":
        return f'reason "{cell.value}"'
    return cell.value
