"""Rows as Markdown, for GitHub and nbviewer where HTML is dropped: the head in bold, then
each text line as an item, and a listing as a table, escaped so provider text cannot turn into
markup or links."""

from __future__ import annotations

import re

from ..esim_models import EsimAnswer, EsimState
from ..failures.explanation import Explanation
from ..models import Order
from ..text import clean_provider_text
from .esim import esim_answer_cards, order_with_esims_rows
from .explanation import explanation_rows
from .listing import COLUMNS, ListingLine
from .order import order_card_rows
from .rows import Card
from .text import card_lines

__all__ = [
    "LISTING_HEAD",
    "card_markdown",
    "esim_answer_markdown",
    "explanation_markdown",
    "line_markdown",
    "md",
    "order_card_markdown",
]

#: The listing table's head and rule, its columns as `render.listing` names them.
LISTING_HEAD = ("| " + " | ".join(COLUMNS) + " |", "|" + " --- |" * len(COLUMNS))
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(value: object, cap: int = 500) -> str:
    """Text safe inside Markdown: cleaned, HTML characters as entities, markup escaped."""
    cleaned = clean_provider_text(str(value), cap)
    cleaned = cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", cleaned)


def card_markdown(card: Card) -> str:
    head, *rest = card_lines(card)
    items = (f"- {md(line.strip(), 1500)}" for line in rest if line.strip())
    return "\n".join([f"**{md(head)}**", "", *items])


def order_card_markdown(order: Order, esims: list[EsimState] | None = None) -> str:
    """The order's card; with `esims`, each eSIM's state and data-left bar under it."""
    if esims:
        return card_markdown(order_with_esims_rows(order, esims))
    return card_markdown(order_card_rows(order))


def esim_answer_markdown(answer: EsimAnswer) -> str:
    cards = [card_markdown(card) for card in esim_answer_cards(answer)]
    return "\n\n".join(cards) or md(answer.note or "No eSIM.")


def explanation_markdown(expl: Explanation) -> str:
    return card_markdown(explanation_rows(expl))


def line_markdown(line: ListingLine) -> str:
    """A listing line as one table row, every field in its column, dates in full."""
    return "| " + " | ".join(md(cell.value, 120) for cell in line.cells) + " |"
