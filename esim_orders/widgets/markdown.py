"""Pure Markdown renderings of the tool views, built from the MCP text renderings themselves.

Markdown is what GitHub and nbviewer fall back to when they drop HTML; each line of the text
a model reads becomes a line here, escaped so provider text cannot turn into markup or links.
"""

from __future__ import annotations

import re

from ..failures.explanation import Explanation
from ..models import Order
from ..text import clean_provider_text
from ..tools.explain_render import explanation_text
from ..tools.render import order_card, page_text, status_label, when
from ..tools.views import OrderPage, OrderSummary, ProviderIssue, View

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(value: object, cap: int = 500) -> str:
    """Text safe inside Markdown: cleaned, HTML characters as entities, markup escaped."""
    cleaned = clean_provider_text(str(value), cap)
    cleaned = cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", cleaned)


def _lines(head: str, body: list[str]) -> str:
    return "\n".join([f"**{md(head)}**", "", *(f"- {md(line, 1500)}" for line in body if line)])


def order_card_markdown(order: Order) -> str:
    first, *rest = order_card(order).splitlines()
    return _lines(first, rest)


def explanation_markdown(expl: Explanation) -> str:
    first, *rest = explanation_text(expl).splitlines()
    return _lines(first, [line.strip() for line in rest])


_TABLE_HEAD = "| Order | Created | Status | Type | Code | Plan | Price | Failure reason |"


def _row(summary: OrderSummary) -> str:
    cells = [
        summary.ref,
        when(summary.created_at) if summary.created_at else "",
        status_label(summary.status, summary.provider_status),
        summary.type,
        summary.code or "",
        summary.plan or "",
        summary.price or "",
        summary.failure_reason or "",
    ]
    return "| " + " | ".join(md(c, 120) for c in cells) + " |"


def page_markdown(page: OrderPage) -> str:
    """The listing as a table, with the caption and notes of `page_text` around it."""
    text_lines = page_text(page).splitlines()
    caption = text_lines[0]
    notes = [line for line in text_lines[1:] if line.startswith("! ")]
    table = [_TABLE_HEAD, "|" + " --- |" * 8, *(_row(o) for o in page.orders)]
    out = [md(caption), "", *table] if page.orders else [md(caption), "", "_No orders match._"]
    out += ["", *(f"- {md(n[2:])}" for n in notes)] if notes else []
    if page.next_cursor:
        more = f"{page.remaining} more" if page.remaining is not None else "More"
        out += ["", md(f"{more} on the next page.")]
    return "\n".join(out)


def summary_markdown(summary: OrderSummary) -> str:
    return "\n".join([_TABLE_HEAD, "|" + " --- |" * 8, _row(summary)])


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
    return None
