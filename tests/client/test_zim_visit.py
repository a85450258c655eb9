"""Zim's `visit_all`: every matching row parsed once from the account's kept bytes, never while
a download that may be cut short is read."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.responses import JSONResponse

from esim_orders.client.transport import RetryPolicy
from esim_orders.models import Order, OrderFilter, OrderStatus, Provider
from esim_orders.providers.zim import ZimClient
from esim_orders.sandbox.zim import render_order
from esim_orders.service.wiring import open_service

from ..helpers import SANDBOX, TWO_ATTEMPTS, sandbox_app, state
from ..helpers.providers import Hostile

ORDERS_PATH = ("zim", "/orders")
PATIENT = RetryPolicy(max_attempts=5, backoff_base=0.001, backoff_cap=0.01, deadline=10.0)


async def _visit(app: Any, order_filter: OrderFilter, policy: RetryPolicy = TWO_ATTEMPTS) -> Any:
    async with open_service(SANDBOX, sandbox_app=app, policy=policy) as service:
        client = service.clients[Provider.ZIM]
        assert isinstance(client, ZimClient)
        listing = await client.list_orders(order_filter)
        seen: list[Order] = []
        count = await client.visit_all(order_filter, seen.append)
        requests = state(app).stats.api_requests[ORDERS_PATH]
    return listing, seen, count, requests


@pytest.mark.parametrize(
    "order_filter",
    [OrderFilter(), OrderFilter(statuses=frozenset({OrderStatus.FAILED}))],
    ids=["all", "failed"],
)
async def test_every_matching_order_once_from_the_bytes_the_listing_kept(
    order_filter: OrderFilter,
) -> None:
    listing, seen, count, requests = await _visit(sandbox_app(orders=200), order_filter)
    assert [o.model_dump() for o in seen] == [o.model_dump() for o in listing.orders]
    assert count == len(seen) > 0
    assert requests == 1  # the visit read the bytes the listing kept


async def test_rows_that_are_no_orders_are_skipped_and_counted() -> None:
    app = sandbox_app(orders=30)
    good = [render_order(state(app).data.zim, order) for order in state(app).data.zim.orders]
    hostile = Hostile(app)
    bad: list[Any] = [1, None, {"status": "FAILED"}]
    hostile.answer = lambda path: JSONResponse(bad + good) if path == "/zim/orders" else None
    async with open_service(SANDBOX, sandbox_app=hostile, policy=TWO_ATTEMPTS) as service:
        seen: list[Order] = []
        count = await service.clients[Provider.ZIM].visit_all(OrderFilter(), seen.append)
    assert count == len(seen) == len(good)


async def test_a_download_cut_short_visits_nothing_twice() -> None:
    """The body is read whole (and retried) before any row is handed on."""
    app = sandbox_app(orders=300, faults=("drop",), fault_providers=("zim",))
    async with open_service(SANDBOX, sandbox_app=app, policy=PATIENT) as service:
        client = service.clients[Provider.ZIM]
        await client.tokens.get()
        state(app).config.fault_rate = 1.0

        async def fault_passes(seconds: float) -> None:
            if state(app).stats.faults["drop"] >= 2:
                state(app).config.fault_rate = 0.0

        client.gateway.sleep = fault_passes
        seen: list[Order] = []
        count = await client.visit_all(OrderFilter(), seen.append)
    assert state(app).stats.faults["drop"] == 2
    assert count == len(seen) == len({o.ref for o in seen}) == len(state(app).data.zim.orders)
