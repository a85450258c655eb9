"""Markdown of the tool views, for GitHub and nbviewer where HTML is dropped: the listing as a
table here; cards from their rows (`esim_orders.render.markdown`), escaped so provider text
cannot turn into markup or links."""

from __future__ import annotations

from ..esim_models import EsimAnswer
from ..failures.explanation import Explanation
from ..models import Order
from ..render.listing import listing_line
from ..render.markdown import (
    LISTING_HEAD,
    esim_answer_markdown,
    explanation_markdown,
    line_markdown,
    md,
    order_card_markdown,
)
from ..tools.render import page_text
from ..tools.views import OrderPage, OrderSummary, ProviderIssue, View

__all__ = [
    "explanation_markdown",
    "md",
    "order_card_markdown",
    "page_markdown",
    "summary_markdown",
    "view_markdown",
]


def _row(summary: OrderSummary) -> str:
    return line_markdown(listing_line(summary))


def page_markdown(page: OrderPage) -> str:
    """The listing as a table, with the caption and notes of `page_text` around it."""
    text_lines = page_text(page).splitlines()
    caption = text_lines[0]
    notes = [line for line in text_lines[1:] if line.startswith("! ")]
    table = [*LISTING_HEAD, *(_row(o) for o in page.orders)]
    out = [md(caption), "", *table] if page.orders else [md(caption), "", "_No orders match._"]
    out += ["", *(f"- {md(n[2:])}" for n in notes)] if notes else []
    if page.next_cursor:
        more = f"{page.remaining} more" if page.remaining is not None else "More"
        out += ["", md(f"{more} on the next page.")]
    return "\n".join(out)


def summary_markdown(summary: OrderSummary) -> str:
    return "\n".join([*LISTING_HEAD, _row(summary)])


def view_markdown(item: View | Order) -> str | None:
    """The Markdown of an order or any tool view; None for a view with no rendering of its own."""
    if isinstance(item, Order):
        return order_card_markdown(item)
    if isinstance(item, OrderPage):
        return page_markdown(item)
    if isinstance(item, OrderSummary):
        return summary_markdown(item)
    if isinstance(item, Explanation):
        return explanation_markdown(item)
    if isinstance(item, ProviderIssue):
        return f"**{md(item.provider)}**: {md(item.error)}"
    if isinstance(item, EsimAnswer):
        return esim_answer_markdown(item)
    return None
