"""The generated data: deterministic, realistic, and covering every value even when small."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from starlette.applications import Starlette

from esim_orders.sandbox import (
    Sandbox,
    SandboxConfig,
    create_app,
    in_process_transport,
)
from esim_orders.sandbox.config import reference_time
from esim_orders.sandbox.data import generate
from esim_orders.sandbox.pressone_data import luhn_digit

from ..helpers import TOKEN_FORM


async def dump(app: Starlette) -> tuple[bytes, list[bytes]]:
    """Zim's whole list and every PressOne page (all relations included), as raw bytes."""
    transport = in_process_transport(app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        token = (await client.post("/pressone/customer/v2/token", data=TOKEN_FORM)).json()
        pressone = {"Authorization": f"Bearer {token['data']['access_token']}"}
        token = (await client.post("/zim/oauth2/token", data=TOKEN_FORM)).json()
        zim = {"Authorization": f"Bearer {token['access_token']}", "X-App-Identifier": "b2b"}
        zim_body = (await client.get("/zim/orders", headers=zim)).content
        pages = []
        for page in range(1, 100):
            params = {"include": "sims,user,status", "limit": "100", "page": str(page)}
            response = await client.get(
                "/pressone/customer/v2/orders", params=params, headers=pressone
            )
            pages.append(response.content)
            if response.json()["links"]["next"] is None:
                return zim_body, pages
    raise AssertionError("more pages than expected")


@pytest.fixture
async def tiny(now: datetime) -> AsyncIterator[tuple[list[dict], list[dict]]]:
    """(PressOne orders with every relation, Zim orders) of a sandbox with orders=20."""
    app = create_app(SandboxConfig(now=now, orders=20))
    zim_body, pages = await dump(app)
    pressone = [order for page in pages for order in json.loads(page)["data"]]
    yield pressone, json.loads(zim_body)


async def test_same_seed_and_now_give_byte_identical_answers(now: datetime):
    first = await dump(create_app(SandboxConfig(seed=11, now=now, orders=250)))
    second = await dump(create_app(SandboxConfig(seed=11, now=now, orders=250)))
    assert first == second


async def test_another_seed_gives_other_data(now: datetime):
    first = await dump(create_app(SandboxConfig(seed=1, now=now, orders=50)))
    second = await dump(create_app(SandboxConfig(seed=2, now=now, orders=50)))
    assert first[0] != second[0]
    assert first[1] != second[1]


def test_now_defaults_to_the_hour_of_generation_so_runs_within_an_hour_agree():
    before = datetime.now().astimezone()
    sandbox = Sandbox(SandboxConfig(orders=20))
    # Two runs a few seconds apart (two CLI commands) show the same order times.
    assert sandbox.now == sandbox.now.replace(minute=0, second=0, microsecond=0)
    assert before - timedelta(hours=1) < sandbox.now <= datetime.now().astimezone()
    first = datetime(2026, 11, 23, 0, 6, 52, 123000, tzinfo=UTC)
    assert reference_time(first) == reference_time(first + timedelta(seconds=5))
    assert reference_time(first) != reference_time(first + timedelta(hours=1))


def test_naive_now_is_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        SandboxConfig(now=datetime(2026, 1, 1))


@pytest.mark.parametrize("orders", [0, 20, 57, 500])
def test_at_least_the_configured_number_of_orders(now: datetime, orders: int):
    data = generate(7, orders, now)
    assert len(data.pressone.orders) >= orders
    assert len(data.zim.orders) >= orders
    if orders >= 57:
        assert len(data.pressone.orders) == len(data.zim.orders) == orders


async def test_small_pressone_data_covers_every_status_and_type(tiny):
    pressone, _ = tiny
    statuses = {order["status"]["slug"] for order in pressone}
    assert statuses == {"completed", "failed", "refunded", "partially_refunded", "on_hold"}
    assert {order["type"] for order in pressone} == {"sim", "topup"}
    assert any(order["description"] is None for order in pressone)
    assert any(order["currency"] == "EUR" for order in pressone)
    assert any(
        order["quantity"] > 1 and len(order["sims"]) == order["quantity"] for order in pressone
    )
    topups = [order for order in pressone if order["type"] == "topup"]
    assert any((order["description"] or "").startswith("Top-up for 89") for order in topups)
    assert any(order["status"]["slug"] == "failed" and order["type"] == "sim" for order in pressone)


async def test_small_zim_data_covers_every_status_type_reason_and_subscription(tiny, now):
    _, zim = tiny
    statuses = {order["status"] for order in zim}
    assert statuses == {
        "PENDING_APPROVAL",
        "PENDING_PAYMENT",
        "PROCESSING",
        "FULFILLED",
        "CANCELLED",
        "FAILED",
        "REPLACED",
        "IN_BASKET",
        "ON_HOLD",
    }
    assert {order["type"] for order in zim} == {"ONE_OFF", "TOP_UP", "RECURRING"}
    failed = [order for order in zim if order["status"] == "FAILED"]
    assert {order.get("failureReason") for order in failed} == {
        "PLAN_NOT_FOUND",
        "NETWORK_REJECTED",
        None,
    }
    assert sum("failureReason" not in order for order in failed) == 1
    subscriptions = {order["subscription"]["status"] for order in zim if "subscription" in order}
    assert subscriptions == {"PROCESSING", "PENDING", "ACTIVE", "EXPIRED", "CANCELLED", "DEPLETED"}
    assert any(order["status"] == "REPLACED" and "subscription" in order for order in zim)
    assert any(order["status"] == "REPLACED" and "subscription" not in order for order in zim)
    plans = [order["plan"] for order in zim if "plan" in order]
    assert any(plan["dataValue"] == -1 for plan in plans)
    assert any(price["minorExponentUnits"] == 0 for plan in plans for price in plan["prices"])
    assert any("plan" not in order for order in zim)


async def test_small_zim_data_has_fresh_and_stuck_orders(tiny, now):
    _, zim = tiny

    def age(order: dict) -> timedelta:
        return now - datetime.fromisoformat(order["createdAt"].replace("Z", "+00:00"))

    for status in ("PROCESSING", "PENDING_PAYMENT"):
        ages = [age(order) for order in zim if order["status"] == status]
        assert any(timedelta(0) <= a < timedelta(minutes=10) for a in ages), status
        assert any(a > timedelta(days=2) for a in ages), status


def test_timestamps_are_spread_over_about_120_days_and_never_in_the_future(now: datetime):
    data = generate(3, 2000, now)
    now_s = int(now.timestamp())
    created = [order.created for order in data.pressone.orders]
    assert max(created) <= now_s
    assert now_s - min(created) <= 121 * 86_400
    assert now_s - min(created) >= 100 * 86_400
    assert now_s - max(created) < 10 * 60
    seed_ids = {
        "ordr_GMAVA4ISiqfWSG0ArGOzB",
        "ordr_QwErTyUiOpAsDfGhJkLZx",
        "ordr_FaiL1234567890abcdEFG",
    }
    now_ms = now_s * 1000
    for order in data.zim.orders:
        if order.id not in seed_ids:
            assert order.created_ms <= order.updated_ms <= now_ms
            assert now_ms - order.created_ms <= 121 * 86_400_000


def test_iccids_are_unique_luhn_valid_and_start_with_89(now: datetime):
    data = generate(5, 3000, now)
    iccids = [iccid for order in data.pressone.orders for iccid in order.iccids]
    assert len(iccids) == len(set(iccids)) > 2000
    for iccid in iccids:
        assert iccid.startswith("89")
        assert 19 <= len(iccid) <= 20
        assert iccid.isdigit()
        assert luhn_digit(iccid[:-1]) == iccid[-1]


def test_pressone_ids_and_codes_grow_with_creation_time(now: datetime):
    orders = generate(7, 500, now).pressone.orders  # newest first
    ids = [order.id for order in orders]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == len(ids)
    assert len({order.code for order in orders}) == len(orders)


def test_zim_ids_are_unique(now: datetime):
    orders = generate(7, 5000, now).zim.orders
    assert len({order.id for order in orders}) == len(orders)


def test_hundred_thousand_orders_per_provider_generate_in_seconds(now: datetime):
    started = time.perf_counter()
    data = generate(7, 100_000, now)
    elapsed = time.perf_counter() - started
    assert len(data.pressone.orders) == len(data.zim.orders) == 100_000
    assert elapsed < 30  # about 4 s on a small machine; the bound only catches a blow-up
