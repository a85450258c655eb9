"""PressOne's list read lazily: a page of ours reads the provider pages it needs and no more,
whichever way the list runs, and continues from a cursor's position with no repeats or gaps."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from esim_orders.models import OrderFilter, OrderStatus, OrderType, Provider
from esim_orders.providers.pressone.paging import PAGE_BUDGET
from esim_orders.service.orders import OrderService
from esim_orders.service.pages import OrdersPage
from esim_orders.service.wiring import open_service

from ..helpers import ONE_ATTEMPT, SANDBOX, sandbox_app, state
from ..helpers.traffic import Watched

PRESSONE = OrderFilter(providers=frozenset({Provider.PRESSONE}))
DIRECTIONS = ("newest-first", "oldest-first")


def newest_first_ids(app_state, keep=lambda order: True) -> list[str]:
    orders = sorted(state_orders(app_state), key=lambda o: (-o.created, -o.id))
    return [f"pressone:{o.id}" for o in orders if keep(o)]


def state_orders(app_state):
    return app_state.data.pressone.orders


async def walk(
    service: OrderService, order_filter: OrderFilter, limit: int
) -> AsyncIterator[OrdersPage]:
    standings = None
    while True:
        page = await service.list_page(order_filter, limit, standings)
        yield page
        if not page.more:
            return
        standings = page.standings


@pytest.mark.parametrize("direction", DIRECTIONS)
async def test_page_one_reads_one_provider_page_whichever_way_the_list_runs(direction):
    app = sandbox_app(orders=1000, pressone_list_order=direction)
    truth = newest_first_ids(state(app))
    watched = Watched(app)
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as service:
        first = await service.list_page(PRESSONE, 20)
    assert [o.ref for o in first.orders] == truth[:20]
    # newest first needs page 1; oldest first, page 1 to tell so, then the last page
    assert watched.pages() == (1 if direction == "newest-first" else 2)
    assert first.total == len(truth) and first.total_exact


@pytest.mark.parametrize("direction", DIRECTIONS)
async def test_pages_chain_without_repeats_or_gaps_against_the_sandbox_data(direction):
    app = sandbox_app(orders=700, pressone_list_order=direction)
    watched = Watched(app)
    truth = newest_first_ids(state(app))
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as service:
        refs = [o.ref async for page in walk(service, PRESSONE, 30) for o in page.orders]
    assert refs == truth
    assert watched.pages() <= len(truth) // 100 + 2  # each provider page about once


async def test_two_consecutive_pages_cost_one_provider_page():
    watched = Watched(sandbox_app(orders=1000))
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as service:
        first = await service.list_page(PRESSONE, 20)
        await service.list_page(PRESSONE, 20, first.standings)
    assert watched.pages() == 1  # 40 orders sit in PressOne's page 1 of 100


async def test_a_status_filter_is_the_providers_and_its_total_exact():
    app = sandbox_app(orders=800)
    truth = newest_first_ids(state(app), lambda o: o.status == "failed")
    watched = Watched(app)
    failed = PRESSONE.model_copy(update={"statuses": frozenset({OrderStatus.FAILED})})
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as service:
        first = await service.list_page(failed, 10)
        refs = [o.ref async for page in walk(service, failed, 10) for o in page.orders]
    assert refs == truth and first.total == len(truth) and first.total_exact


async def test_a_filter_applied_here_stops_at_the_page_budget_and_says_at_least():
    app = sandbox_app(orders=3000)
    refunded = ("refunded", "partially_refunded")  # two slugs: PressOne filters one at a time
    truth = newest_first_ids(state(app), lambda o: o.type == "topup" and o.status in refunded)
    watched = Watched(app)
    top_ups = PRESSONE.model_copy(
        update={"type": OrderType.TOP_UP, "statuses": frozenset({OrderStatus.REFUNDED})}
    )
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as service:
        first = await service.list_page(top_ups, 100)
        first_cost = watched.pages()
        refs = [o.ref async for page in walk(service, top_ups, 100) for o in page.orders]
    assert first_cost <= PAGE_BUDGET
    assert not first.total_exact and first.total == len(first.orders) < len(truth)
    assert first.scanned == PAGE_BUDGET * 100
    assert refs == truth  # continuing from the budget's end misses nothing


async def test_orders_added_between_pages_are_said_and_nothing_repeats():
    app = sandbox_app(orders=500)
    watched = Watched(app)
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as service:
        first = await service.list_page(PRESSONE, 20)
        data = state(app).data.pressone
        newest = data.orders[0]
        data.orders.insert(0, newest._replace(id=newest.id + 10_000, created=newest.created + 60))
        state(app).pressone_finder._cache.clear() if hasattr(
            state(app), "pressone_finder"
        ) else None
        service.clients[Provider.PRESSONE]._listed_pages.invalidate()
        second = await service.list_page(PRESSONE, 20, first.standings)
    shown = [o.ref for o in first.orders] + [o.ref for o in second.orders]
    assert Provider.PRESSONE in second.changed
    assert len(shown) == len(set(shown))
    truth = newest_first_ids(state(app))
    assert [o.ref for o in second.orders] == truth[21:41]  # after the new one and page 1


async def test_text_and_destination_are_applied_here_within_the_page_budget():
    app = sandbox_app(orders=1200)
    data = state(app).data.pressone
    watched = Watched(app)
    nowhere = PRESSONE.model_copy(update={"destination": "Atlantis"})
    # Text looks at plans too, so it is not sent as filter[description] (which would drop
    # the orders found by their plan): the Moshi Moshi packages are found here.
    moshi = PRESSONE.model_copy(update={"text": "moshi moshi"})
    truth = newest_first_ids(
        state(app), lambda o: "moshi moshi" in data.packages[o.package].name.lower()
    )
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as service:
        first = await service.list_page(nowhere, 20)
        cost = watched.pages()
        refs = [o.ref async for page in walk(service, moshi, 100) for o in page.orders]
    assert cost == PAGE_BUDGET and first.orders == [] and first.more
    assert not first.total_exact and first.scanned == PAGE_BUDGET * 100
    assert refs == truth and truth
