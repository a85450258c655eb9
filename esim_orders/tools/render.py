"""The text faces of the tool views, for a model's context and a terminal: the listing page
here, its lines and an order's card from their rows (`esim_orders.render`)."""

from __future__ import annotations

from ..render.listing import listing_line
from ..render.text import line_text
from .terms import MCP, Terms
from .views import OrderPage, OrderSummary

__all__ = ["order_line", "page_text"]


def order_line(summary: OrderSummary) -> str:
    """One order of a listing as text: its fields (`render.listing`) on one line."""
    return line_text(listing_line(summary))


def page_text(page: OrderPage, terms: Terms = MCP) -> str:
    """The page as text; the hint for the next page in the terms of the face showing it."""
    lines = []
    if page.total is not None and page.total_exact:
        lines.append(f"{page.returned} of {page.total} matching orders, newest first:")
    elif page.total is not None:
        lines.append(
            f"{page.returned} orders, newest first; at least {page.total} match "
            f"({page.scanned} read for this page, the rest not yet read):"
        )
    else:
        lines.append(f"{page.returned} orders, newest first:")
    lines += [order_line(o) for o in page.orders]
    if not page.orders:
        lines.append("(no orders match)")
    for issue in page.provider_errors:
        lines.append(f"! {issue.provider}: {issue.error}")
    if page.next_cursor:
        more = f"{page.remaining} more" if page.remaining is not None else "More"
        lines.append(f"{more}: {terms.more(page.next_cursor)}")
    return "\n".join(lines)
