"""Zim Connections' order wire format into the normalized model; no I/O here."""

from __future__ import annotations

from typing import Any

from ...client import coerce
from ...client.base import shape_error
from ...models import (
    Allowance,
    Customer,
    Failure,
    Money,
    Order,
    OrderStatus,
    OrderType,
    Plan,
    Provider,
    Subscription,
    SubscriptionStatus,
)
from ...redact import redact_payload

__all__ = [
    "STATUS_BY_WIRE",
    "TYPE_BY_WIRE",
    "allowance",
    "parse_order",
    "parse_plan",
    "parse_subscription",
    "plan_price",
]

STATUS_BY_WIRE = {
    "PENDING_APPROVAL": OrderStatus.PENDING,
    "PENDING_PAYMENT": OrderStatus.PENDING,
    "IN_BASKET": OrderStatus.PENDING,
    "PROCESSING": OrderStatus.PROCESSING,
    "FULFILLED": OrderStatus.COMPLETED,
    "CANCELLED": OrderStatus.CANCELLED,
    "FAILED": OrderStatus.FAILED,
    "REPLACED": OrderStatus.REPLACED,
}
TYPE_BY_WIRE = {t.value: t for t in (OrderType.ONE_OFF, OrderType.TOP_UP, OrderType.RECURRING)}
SUBSCRIPTION_BY_WIRE = {
    s.value: s for s in SubscriptionStatus if s is not SubscriptionStatus.UNKNOWN
}
DAYS_PER_UNIT = {"DAY": 1, "DAYS": 1, "WEEK": 7, "WEEKS": 7}


def parse_order(row: Any, *, personal_data: bool = False) -> Order:
    """One Zim order object into the normalized model; tolerant of every optional field."""
    if not isinstance(row, dict):
        raise shape_error(Provider.ZIM, "order is not an object")
    order_id = coerce.text(row.get("id"), 80)
    if order_id is None:
        raise shape_error(Provider.ZIM, "order without an id")
    wire_status = coerce.text(row.get("status"), 60)
    wire_type = coerce.text(row.get("type"), 40)
    status = coerce.enum_or_unknown(STATUS_BY_WIRE, wire_status, OrderStatus.UNKNOWN)
    plan = parse_plan(row.get("plan"), plan_id=coerce.text(row.get("planID"), 80))
    reason = coerce.text(row.get("failureReason"), 200)
    user_id = coerce.text(row.get("userID"), 80)
    return Order(
        provider=Provider.ZIM,
        id=order_id,
        status=status,
        provider_status=wire_status,
        type=coerce.enum_or_unknown(TYPE_BY_WIRE, wire_type, OrderType.UNKNOWN),
        provider_type=wire_type,
        created_at=coerce.timestamp(row.get("createdAt")),
        updated_at=coerce.timestamp(row.get("updatedAt")),
        plan=plan,
        price=plan_price(row.get("plan")),
        subscription=_subscription(row.get("subscription"), row.get("plan"), plan),
        customer=Customer(id=user_id) if user_id else None,
        failure=Failure(reason_code=reason) if reason else None,
        account_id=coerce.text(row.get("accountID"), 80),
        payment_id=coerce.text(row.get("paymentID"), 80),
        payment_reference=coerce.text(row.get("paymentReference"), 120),
        notify_recipient=coerce.boolean(row.get("notifyRecipient")),
        raw=redact_payload(row, personal=not personal_data),
    )


def parse_plan(value: Any, *, plan_id: str | None = None) -> Plan | None:
    plan = coerce.mapping(value)
    if not plan:
        return Plan(id=plan_id) if plan_id else None
    destination = coerce.mapping(plan.get("destination"))
    region = coerce.mapping(plan.get("region"))
    duration_unit = (coerce.text(plan.get("durationUnit"), 20) or "").upper()
    duration = coerce.integer(plan.get("durationValue"))
    per_unit = DAYS_PER_UNIT.get(duration_unit)
    features = [
        name
        for item in coerce.items(plan.get("features"))
        if (name := coerce.text(coerce.mapping(item).get("name"), 40))
    ]
    dest_name = coerce.text(destination.get("name"), 100)
    region_name = coerce.text(region.get("name"), 100)
    data = allowance(plan.get("dataValue"), plan.get("dataUnit"))
    return Plan(
        id=coerce.text(plan.get("id"), 80) or plan_id,
        name=_plan_name(dest_name or region_name, data, duration, duration_unit),
        destination=dest_name,
        region=region_name,
        data=data,
        voice=allowance(plan.get("callValue"), plan.get("callUnit")),
        sms=allowance(plan.get("smsValue"), plan.get("smsUnit")),
        validity_days=duration * per_unit if duration is not None and per_unit else None,
        features=features,
    )


def _plan_name(
    place: str | None, data: Allowance | None, duration: int | None, unit: str
) -> str | None:
    """Zim plans have no display name; compose one a person recognises."""
    parts = [p for p in (place, str(data) if data else None) if p]
    if duration is not None and unit:
        parts.append(f"{duration} {unit.lower()}")
    return " · ".join(parts) or None


def allowance(value: Any, unit: Any) -> Allowance | None:
    """Zim's value/unit pair; -1 means unlimited."""
    amount = coerce.decimal(value)
    if amount is None:
        return None
    if amount == -1:
        return Allowance(unlimited=True)
    if amount < 0:
        return None
    return Allowance(amount=amount, unit=coerce.text(unit, 20))


def plan_price(value: Any) -> Money | None:
    """The plan's first price: integer minor units with their exponent."""
    for price in coerce.items(coerce.mapping(value).get("prices")):
        price = coerce.mapping(price)
        minor = coerce.integer(price.get("value"))
        currency = coerce.text(price.get("currencyISO"), 8)
        exponent = coerce.integer(price.get("minorExponentUnits"))
        if minor is not None and currency and exponent is not None and 0 <= exponent <= 6:
            return Money(minor_units=minor, currency=currency.upper(), exponent=exponent)
    return None


def _subscription(value: Any, order_plan: Any, parsed_plan: Plan | None) -> Subscription | None:
    sub = coerce.mapping(value)
    if not sub:
        return None
    # Usually the order's own plan again: reuse what was parsed for it.
    same = sub.get("plan") is not None and sub.get("plan") == order_plan
    return parse_subscription(sub, parsed_plan if same else parse_plan(sub.get("plan")))


def parse_subscription(value: Any, plan: Plan | None) -> Subscription | None:
    """A subscription object (an order's, or a row of `GET /subscriptions/`) with its plan."""
    sub = coerce.mapping(value)
    sub_id = coerce.text(sub.get("id"), 80)
    if sub_id is None:
        return None
    wire_status = coerce.text(sub.get("status"), 40)
    return Subscription(
        id=sub_id,
        esim_id=coerce.text(sub.get("esimID"), 80),
        status=coerce.enum_or_unknown(
            SUBSCRIPTION_BY_WIRE, wire_status, SubscriptionStatus.UNKNOWN
        ),
        provider_status=wire_status,
        plan=plan,
    )
