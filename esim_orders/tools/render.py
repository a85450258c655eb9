"""The text faces of the tool views, for a model's context and a terminal: the listing's
lines here; an order's card comes from its rows (`esim_orders.render`)."""

from __future__ import annotations

from ..render.order import status_label, when
from .views import OrderPage, OrderSummary

__all__ = ["order_line", "page_text"]


def order_line(summary: OrderSummary) -> str:
    parts = [
        summary.ref,
        when(summary.created_at),
        status_label(summary.status, summary.provider_status),
        summary.type,
    ]
    if summary.code:
        parts.append(f"code {summary.code}")
    if summary.plan:
        parts.append(summary.plan)
    if summary.price:
        parts.append(summary.price)
    if summary.failure_reason:
        parts.append(f'reason "{summary.failure_reason}"')
    return " | ".join(parts)


def page_text(page: OrderPage) -> str:
    lines = []
    if page.total is not None:
        lines.append(f"{page.returned} of {page.total} matching orders, newest first:")
    else:
        lines.append(f"{page.returned} orders, newest first:")
    lines += [order_line(o) for o in page.orders]
    if not page.orders:
        lines.append("(no orders match)")
    for issue in page.provider_errors:
        lines.append(f"! {issue.provider}: {issue.error}")
    if page.next_cursor:
        more = f"{page.remaining} more" if page.remaining is not None else "More"
        lines.append(f"{more}: call list_orders again with cursor={page.next_cursor}")
    return "\n".join(lines)
