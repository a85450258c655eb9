"""Iterating orders as a stream, and PressOne's pages fetched side by side."""

from __future__ import annotations

from esim_orders.models import OrderFilter, OrderStatus, Provider, newest_first_key
from esim_orders.providers.pressone.client import PAGE_CONCURRENCY
from esim_orders.service.wiring import open_service

from ..helpers import ONE_ATTEMPT, SANDBOX, sandbox_app
from ..helpers.traffic import Watched


async def test_iterating_gives_the_listing_s_orders_newest_first(service):
    streamed = [order async for order in service.iter_orders()]
    listed = (await service.list_orders(fresh=True)).orders
    assert [o.ref for o in streamed] == [o.ref for o in listed]
    assert streamed == sorted(streamed, key=newest_first_key)


async def test_iterating_applies_the_filter(service):
    wanted = OrderFilter(statuses=frozenset({OrderStatus.FAILED}))
    streamed = [order async for order in service.iter_orders(wanted)]
    listed = (await service.list_orders(wanted)).orders
    assert streamed and all(o.status is OrderStatus.FAILED for o in streamed)
    assert {o.ref for o in streamed} == {o.ref for o in listed}


async def test_stopping_early_leaves_the_remaining_pages_unfetched():
    app = sandbox_app(orders=2000, pressone_page_cap=20)  # 100 pages
    watched = Watched(app)
    only_pressone = OrderFilter(providers=frozenset({Provider.PRESSONE}))
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as service:
        taken = 0
        async for _ in service.iter_orders(only_pressone):
            taken += 1
            if taken == 30:
                break
    # Page 1, then one batch of PAGE_CONCURRENCY pages: nowhere near all 100.
    assert watched.pages() <= 1 + PAGE_CONCURRENCY


async def test_pressone_pages_after_the_first_are_fetched_side_by_side():
    app = sandbox_app(orders=600, pressone_page_cap=50, latency_ms=20)  # 12 pages
    watched = Watched(app)
    only_pressone = OrderFilter(providers=frozenset({Provider.PRESSONE}))
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as service:
        listing = await service.list_orders(only_pressone)
    assert len(listing.orders) >= 600 and watched.pages() == 12
    assert watched.most_in_flight == PAGE_CONCURRENCY
