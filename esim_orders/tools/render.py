"""Compact plain-text renderings of the tool views, for a model's context and a terminal."""

from __future__ import annotations

from datetime import datetime

from ..models import Esim, Order, Plan
from .views import OrderPage, OrderSummary


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "time unknown"


def status_label(status: str, provider_status: str | None) -> str:
    """The normalized status, with the provider's own word when it says more."""
    if provider_status and provider_status.upper() != status:
        return f"{status} ({provider_status})"
    return status


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


def plan_text(plan: Plan) -> str:
    parts = [plan.name or plan.id or "plan"]
    allowances = [
        f"{label} {value}"
        for label, value in (("data", plan.data), ("voice", plan.voice), ("SMS", plan.sms))
        if value is not None
    ]
    if allowances:
        parts.append(", ".join(allowances))
    if plan.validity_days is not None:
        parts.append(f"valid {plan.validity_days} days")
    if plan.features:
        parts.append("features " + ", ".join(plan.features))
    return " · ".join(parts)


def price_text(order: Order) -> str:
    """`4.90 USD`, with `× 3` when several were ordered; empty without a price."""
    if not order.price:
        return ""
    quantity = f" × {order.quantity}" if order.quantity and order.quantity > 1 else ""
    return order.price.formatted + quantity


def held_secrets(esim: Esim) -> list[str]:
    """Which activation secrets the provider holds for an eSIM; never their values."""
    return [
        label
        for label, present in (
            ("QR code", esim.has_qrcode),
            ("matching id", esim.has_matching_id),
            ("confirmation code", esim.has_confirmation_code),
        )
        if present
    ]


def order_card(order: Order) -> str:
    """A short card: one fact per line, lines without data left out."""
    lines = [f"Order {order.ref}: {status_label(order.status, order.provider_status)}"]
    dates = f"Created {when(order.created_at)}"
    if order.updated_at:
        dates += f", updated {when(order.updated_at)}"
    lines.append(f"Type {status_label(order.type, order.provider_type)} · {dates}")
    if order.code:
        lines.append(f"Code {order.code}")
    if order.description:
        lines.append(f'Description (provider data): "{order.description}"')
    if order.plan:
        lines.append("Plan: " + plan_text(order.plan))
    if order.price:
        lines.append(f"Price: {price_text(order)}")
    for esim in order.esims:
        held = held_secrets(esim)
        status = f" {esim.status}" if esim.status else ""
        secrets = f" (provider holds its {', '.join(held)}; not shown)" if held else ""
        lines.append(f"eSIM {esim.iccid or 'without ICCID'}{status}{secrets}")
    if order.subscription:
        sub = order.subscription
        text = f"Subscription {sub.id}: {status_label(sub.status, sub.provider_status)}"
        if sub.esim_id:
            text += f", eSIM {sub.esim_id}"
        lines.append(text)
    if order.failure:
        lines.append(
            f'Failure reason (provider data): "{order.failure.reason_code or "none given"}"'
        )
        if order.failure.message:
            lines.append(f'Provider message (provider data): "{order.failure.message}"')
    ids = [
        f"{label} {value}"
        for label, value in (
            ("account", order.account_id),
            ("payment", order.payment_id),
            ("payment ref", order.payment_reference),
        )
        if value
    ]
    if ids:
        lines.append(" · ".join(ids))
    if order.customer:
        c = order.customer
        who = ", ".join(v for v in (c.name, c.email, c.phone) if v)
        lines.append(f"Customer {c.id or 'unknown id'}" + (f": {who}" if who else ""))
    return "\n".join(lines)
