"""Zim's orders as compact records, generated deterministically from a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from esim_orders.sandbox import catalogue
from esim_orders.sandbox.generation import DAY, alnum, epoch_ms, random_age

#: Not in Zim's documented enum: here so clients meet a status they do not know.
ZIM_UNDOCUMENTED_STATUS = "ON_HOLD"
ZIM_DOCUMENTED_FAILURE = "PLAN_NOT_FOUND"
ZIM_UNDOCUMENTED_FAILURE = "NETWORK_REJECTED"


class ZimSubscription(NamedTuple):
    id: str
    esim_id: str
    plan: int  # index into ZimData.plans
    status: str


class ZimOrder(NamedTuple):
    """One Zim order; optional fields are None when the wire object omits them."""

    id: str
    status: str
    account_id: str
    plan_id: str
    user_id: str
    type: str
    payment_id: str | None
    payment_reference: str | None
    notify_recipient: bool | None
    failure_reason: str | None
    plan: int  # index into ZimData.plans, -1 when the order carries no plan object
    subscription: ZimSubscription | None
    created_ms: int  # epoch milliseconds, UTC
    updated_ms: int


@dataclass
class ZimData:
    """Zim's orders in the shuffled order the list endpoint serves them."""

    orders: list[ZimOrder]
    by_id: dict[str, ZimOrder]
    plans: list[dict[str, Any]]


def _zim_plan(
    plan_id: str,
    destination: catalogue.Destination,
    shape: catalogue.PlanShape,
    currencies: tuple[str, ...],
) -> dict[str, Any]:
    prices = []
    for currency in currencies:
        rate, exponent = catalogue.CURRENCY_RATES[currency]
        value = shape.usd_cents * rate / 10**2 * 10**exponent
        # Psychological pricing: 4.90, 9.90, ¥780 rather than raw conversions.
        value = int(round(value / 10) * 10) if exponent else int(value)
        prices.append({"currencyISO": currency, "value": value, "minorExponentUnits": exponent})
    return {
        "id": plan_id,
        "destination": {"name": destination.name, "isoAlpha3": destination.iso3},
        "region": {"name": destination.region, "abbreviation": destination.region_abbreviation},
        "dataUnit": shape.data_unit,
        "dataValue": shape.data_value,
        "callUnit": shape.call_unit,
        "callValue": shape.call_value,
        "smsUnit": "SMS",
        "smsValue": shape.sms_value,
        "durationUnit": "DAYS",
        "durationValue": shape.days,
        "features": [
            {"name": name, "category": catalogue.FEATURE_CATEGORIES[name]}
            for name in shape.features
        ],
        "prices": prices,
    }


def build_zim_plans(rng: random.Random) -> list[dict[str, Any]]:
    """Three plans per destination; Japan's are priced in yen only (exponent 0)."""
    plans = []
    shapes = catalogue.PLAN_SHAPES
    for index, destination in enumerate(catalogue.DESTINATIONS):
        picks = [shapes[(index + step) % len(shapes)] for step in (0, 2, 5)]
        for shape in picks:
            if destination.local_currency == "JPY":
                currencies: tuple[str, ...] = ("JPY",)
            elif destination.local_currency:
                currencies = ("USD", destination.local_currency)
            else:
                currencies = ("USD",)
            seed_ids = catalogue.SEED_PLAN_IDS
            plan_id = seed_ids[len(plans)] if len(plans) < len(seed_ids) else ""
            plans.append(
                _zim_plan(plan_id or f"plan_{alnum(rng, 21)}", destination, shape, currencies)
            )
    return plans


class _ZimCase(NamedTuple):
    age_s: int
    status: str
    type: str = "ONE_OFF"
    paid: bool = True
    failure: str | None = None
    subscription: str | None = None
    plan_kind: str = "any"  # "any", "unlimited", "jpy" or "none"


_ZIM_CASES = (
    _ZimCase(3 * 60, "PROCESSING"),
    _ZimCase(3 * DAY + 4000, "PROCESSING", type="TOP_UP"),
    _ZimCase(6 * 60, "PENDING_PAYMENT", paid=False),
    _ZimCase(5 * DAY, "PENDING_PAYMENT", type="RECURRING", paid=False),
    _ZimCase(2 * 3600, "PENDING_APPROVAL", paid=False),
    _ZimCase(8 * 60, "FULFILLED", subscription="PROCESSING"),
    _ZimCase(50 * 60, "FULFILLED", subscription="PENDING", plan_kind="jpy"),
    _ZimCase(2 * DAY, "FULFILLED", type="RECURRING", subscription="ACTIVE", plan_kind="unlimited"),
    _ZimCase(20 * DAY, "FULFILLED", type="TOP_UP", subscription="DEPLETED"),
    _ZimCase(95 * DAY, "FULFILLED", subscription="EXPIRED"),
    _ZimCase(11 * DAY, "CANCELLED", paid=False),
    _ZimCase(90, "FAILED", failure=ZIM_DOCUMENTED_FAILURE),
    _ZimCase(4 * DAY, "FAILED", failure=ZIM_UNDOCUMENTED_FAILURE),
    _ZimCase(16 * DAY, "FAILED", type="TOP_UP", paid=False),  # the one without a reason
    _ZimCase(60 * DAY, "REPLACED", subscription="CANCELLED"),
    _ZimCase(33 * DAY, "REPLACED", plan_kind="none"),
    _ZimCase(7 * DAY, "IN_BASKET", paid=False, plan_kind="none"),
    _ZimCase(26 * 3600, ZIM_UNDOCUMENTED_STATUS, paid=True),
)

_ZIM_STATUS_WEIGHTS = (
    ("FULFILLED", 720),
    ("PROCESSING", 50),
    ("PENDING_PAYMENT", 40),
    ("PENDING_APPROVAL", 30),
    ("CANCELLED", 50),
    ("FAILED", 50),
    ("REPLACED", 30),
    ("IN_BASKET", 25),
    (ZIM_UNDOCUMENTED_STATUS, 5),
)


def zim_seed_orders() -> list[ZimOrder]:
    """The three orders of the seed page's example, field for field."""
    plan_a, plan_b = catalogue.SEED_PLAN_IDS
    account, user = catalogue.SEED_ACCOUNT_ID, catalogue.SEED_USER_ID

    def ms(text: str) -> int:
        return epoch_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))

    shared = {"account_id": account, "user_id": user, "plan": -1, "subscription": None}
    return [
        ZimOrder(
            id="ordr_GMAVA4ISiqfWSG0ArGOzB",
            status="FULFILLED",
            plan_id=plan_a,
            type="ONE_OFF",
            payment_id="pay_4FzTYboPvetguABCDEFGH",
            payment_reference="pi_3OqAbCxYz12345",
            notify_recipient=True,
            failure_reason=None,
            created_ms=ms("2026-05-12T14:39:23.149Z"),
            updated_ms=ms("2026-05-12T14:41:02.501Z"),
            **shared,
        ),
        ZimOrder(
            id="ordr_QwErTyUiOpAsDfGhJkLZx",
            status="PROCESSING",
            plan_id=plan_b,
            type="TOP_UP",
            payment_id=None,
            payment_reference=None,
            notify_recipient=False,
            failure_reason=None,
            created_ms=ms("2026-05-20T09:12:00.000Z"),
            updated_ms=ms("2026-05-20T09:12:30.000Z"),
            **shared,
        ),
        ZimOrder(
            id="ordr_FaiL1234567890abcdEFG",
            status="FAILED",
            plan_id=plan_a,
            type="ONE_OFF",
            payment_id=None,
            payment_reference=None,
            notify_recipient=None,  # the page's example omits it on this order
            failure_reason="PLAN_NOT_FOUND",
            created_ms=ms("2026-05-22T11:00:00.000Z"),
            updated_ms=ms("2026-05-22T11:00:05.000Z"),
            **shared,
        ),
    ]


def _random_zim_case(rng: random.Random, statuses: list[str], weights: list[int]) -> _ZimCase:
    status = rng.choices(statuses, weights)[0]
    roll = rng.random()
    order_type = "ONE_OFF" if roll < 0.7 else ("TOP_UP" if roll < 0.9 else "RECURRING")
    age = random_age(rng)
    paid = True
    failure = None
    # Most are caught minutes after creation; a few are stuck for days.
    if status in ("PROCESSING", "PENDING_PAYMENT") and rng.random() < 0.75:
        age = rng.randrange(20, 600)
    if status in ("PENDING_PAYMENT", "IN_BASKET", "PENDING_APPROVAL"):
        paid = False
    elif status in ("FAILED", "CANCELLED"):
        paid = rng.random() < 0.5
    if status == "FAILED":
        failure = ZIM_DOCUMENTED_FAILURE if rng.random() < 0.9 else ZIM_UNDOCUMENTED_FAILURE
    subscription = None
    if status == "FULFILLED" or (status == "REPLACED" and rng.random() < 0.5):
        subscription = "derive"
    plan_kind = "none" if rng.random() < 0.08 else "any"
    return _ZimCase(age, status, order_type, paid, failure, subscription, plan_kind)


def _subscription_status(rng: random.Random, case: _ZimCase, plan: dict[str, Any]) -> str:
    if case.status == "REPLACED":
        return "CANCELLED" if rng.random() < 0.6 else "EXPIRED"
    if case.age_s > plan["durationValue"] * DAY:
        return "EXPIRED" if rng.random() < 0.8 else "DEPLETED"
    if case.age_s < 15 * 60:
        return "PROCESSING" if rng.random() < 0.3 else "PENDING"
    roll = rng.random()
    if roll < 0.6:
        return "ACTIVE"
    if roll < 0.8:
        return "PENDING"
    return "DEPLETED" if roll < 0.95 else "CANCELLED"


def _zim_update_delay(rng: random.Random, status: str) -> int:
    """Milliseconds from createdAt to updatedAt: how long each status takes to reach."""
    if status == "FULFILLED":
        return rng.randrange(20_000, 180_000)
    if status in ("CANCELLED", "REPLACED"):
        return rng.randrange(600_000, 3 * DAY * 1000)
    if status == "FAILED":
        return rng.randrange(1_000, 10_000)
    return rng.randrange(0, 30_000)


def generate_zim(seed: int, orders: int, now: datetime) -> ZimData:
    """Zim orders in a seeded shuffle: Zim promises no order, so clients must sort."""
    rng = random.Random(f"zim:{seed}")
    now_ms = epoch_ms(now)
    plans = build_zim_plans(rng)
    unlimited = [i for i, plan in enumerate(plans) if plan["dataValue"] == -1]
    yen = [i for i, plan in enumerate(plans) if plan["prices"][0]["currencyISO"] == "JPY"]
    # GET /orders answers the caller's account only: every order shares the seed's account.
    account = catalogue.SEED_ACCOUNT_ID
    users = [catalogue.SEED_USER_ID] + [
        f"user_{alnum(rng, 21)}" for _ in range(min(max(orders // 20, 10), 500))
    ]
    seeds = zim_seed_orders()
    used = {order.id for order in seeds}
    generated = max(orders - len(seeds), len(_ZIM_CASES))
    statuses = [status for status, _ in _ZIM_STATUS_WEIGHTS]
    weights = [weight for _, weight in _ZIM_STATUS_WEIGHTS]

    def fresh_id(prefix: str) -> str:
        while True:
            candidate = f"{prefix}_{alnum(rng, 21)}"
            if candidate not in used:
                used.add(candidate)
                return candidate

    records = list(seeds)
    for index in range(generated):
        if index < len(_ZIM_CASES):
            case = _ZIM_CASES[index]
        else:
            case = _random_zim_case(rng, statuses, weights)
        if case.plan_kind == "unlimited":
            plan_index = rng.choice(unlimited)
        elif case.plan_kind == "jpy":
            plan_index = rng.choice(yen)
        else:
            plan_index = rng.randrange(len(plans))
        plan = plans[plan_index]
        subscription = None
        if case.subscription:
            status = (
                case.subscription
                if case.subscription != "derive"
                else _subscription_status(rng, case, plan)
            )
            subscription = ZimSubscription(
                fresh_id("sub"), f"esim_{alnum(rng, 21)}", plan_index, status
            )
        created = now_ms - case.age_s * 1000 - rng.randrange(60_000)
        updated = min(created + _zim_update_delay(rng, case.status), now_ms)
        records.append(
            ZimOrder(
                id=fresh_id("ordr"),
                status=case.status,
                account_id=account,
                plan_id=plan["id"],
                user_id=rng.choice(users),
                type=case.type,
                payment_id=fresh_id("pay") if case.paid else None,
                payment_reference=f"pi_3{alnum(rng, 20)}" if case.paid else None,
                notify_recipient=rng.random() < 0.7,
                failure_reason=case.failure,
                plan=-1 if case.plan_kind == "none" else plan_index,
                subscription=subscription,
                created_ms=created,
                updated_ms=updated,
            )
        )
    rng.shuffle(records)
    return ZimData(orders=records, by_id={order.id: order for order in records}, plans=plans)
