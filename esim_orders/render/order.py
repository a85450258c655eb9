"""The rows of one order's card, and the words shared by every face that shows an order."""

from __future__ import annotations

from datetime import datetime

from ..models import Esim, Order, OrderStatus, Plan
from .rows import Block, Card, Fact, Head, Line, Part

__all__ = ["held_secrets", "order_card_rows", "plan_text", "price_text", "status_label", "when"]


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "time unknown"


def status_label(status: str, provider_status: str | None) -> str:
    """The normalized status, with the provider's own word when it says more."""
    if provider_status and provider_status.upper() != status:
        return f"{status} ({provider_status})"
    return status


def plan_text(plan: Plan) -> str:
    parts = [plan.name or plan.id or "plan"]
    allowances = [
        f"{label} {value}"
        for label, value in (("data", plan.data), ("voice", plan.voice), ("SMS", plan.sms))
        if value is not None and (value.unlimited or value.amount != 0)  # "voice 0 MINUTES"
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


def order_card_rows(order: Order) -> Card:
    """A short card: one fact per row, rows without data left out."""
    dates = f"{when(order.created_at)}"
    if order.updated_at:
        dates += f", updated {when(order.updated_at)}"
    blocks: list[Block] = [
        Line(
            (
                Fact.of("Type", status_label(order.type, order.provider_type)),
                Fact.of("Created", dates),
            )
        )
    ]
    if order.code:
        blocks.append(Fact.of("Code", order.code, "code"))
    if order.description:
        blocks.append(_said("Description", order.description))
    if order.plan:
        blocks.append(Fact.of("Plan", plan_text(order.plan), sep=": "))
    if order.price:
        blocks.append(Fact.of("Price", price_text(order), sep=": "))
    for esim in order.esims:
        parts = [Part(esim.iccid or "without ICCID", "code")]
        if esim.status:
            parts.append(Part(f" {esim.status}"))
        held = held_secrets(esim)
        if held:
            parts.append(Part(f" (provider holds its {', '.join(held)}; not shown)", "muted"))
        blocks.append(Fact("eSIM", tuple(parts)))
    if order.subscription:
        sub = order.subscription
        parts = [Part(sub.id, "code"), Part(f": {status_label(sub.status, sub.provider_status)}")]
        if sub.esim_id:
            parts += [Part(", eSIM "), Part(sub.esim_id, "code")]
        blocks.append(Fact("Subscription", tuple(parts)))
    if order.failure:
        blocks.append(_said("Failure reason", order.failure.reason_code or "none given"))
        if order.failure.message:
            blocks.append(_said("Provider message", order.failure.message))
    ids = tuple(
        Fact.of(label, value, "code")
        for label, value in (
            ("account", order.account_id),
            ("payment", order.payment_id),
            ("payment ref", order.payment_reference),
        )
        if value
    )
    if ids:
        blocks.append(Line(ids))
    if order.customer:
        c = order.customer
        who = ", ".join(v for v in (c.name, c.email, c.phone) if v)
        blocks.append(Fact.of("Customer", (c.id or "unknown id") + (f": {who}" if who else "")))
    head = Head(order.ref, order.status, order.provider_status, lead="Order")
    tone = "failed" if order.status is OrderStatus.FAILED else ""
    return Card(head, tuple(blocks), tone)


def _said(label: str, value: str) -> Fact:
    """A provider's own words: quoted, and marked as its data."""
    return Fact.of(label, value, sep=": ", quoted=True, provider_data="provider data")
