"""The service's caches: finished orders by ref, listings by filter, and their bypass."""

from __future__ import annotations

import anyio
import httpx2
import pytest

from esim_orders.client.ttl_cache import TtlCache
from esim_orders.errors import OrderNotFound
from esim_orders.models import OrderFilter, OrderStatus, Provider
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import open_service
from esim_orders.tools import list_orders

from ..helpers import ONE_ATTEMPT, SANDBOX, FakeClock
from ..helpers.traffic import Watched, refs_with


def order_requests(watched: Watched) -> int:
    return sum(n for path, n in watched.requests.items() if "/orders/" in path)


@pytest.mark.parametrize(
    ("provider", "status"),
    [
        ("pressone", "completed"),
        ("pressone", "failed"),
        ("pressone", "refunded"),
        ("zim", "FULFILLED"),
        ("zim", "FAILED"),
        ("zim", "CANCELLED"),
        ("zim", "REPLACED"),
    ],
)
async def test_a_finished_order_is_fetched_once_however_often_it_is_asked_for(
    service, watched, app, provider, status
):
    ref = refs_with(app, provider, status)[0]
    first = await service.get_order(ref)
    before = order_requests(watched)
    for _ in range(10):
        assert await service.get_order(ref) == first
    assert order_requests(watched) == before
    assert service.finished_orders.stats.hits == 10


@pytest.mark.parametrize(("provider", "status"), [("zim", "PROCESSING"), ("pressone", "on_hold")])
async def test_an_unfinished_order_is_asked_for_every_time(service, watched, app, provider, status):
    ref = refs_with(app, provider, status)[0]
    order = await service.get_order(ref)
    assert order.status in (OrderStatus.PROCESSING, OrderStatus.UNKNOWN)
    before = order_requests(watched)
    for _ in range(5):
        await service.get_order(ref)
    assert order_requests(watched) == before + 5


async def test_fresh_skips_the_finished_order_cache_and_refills_it(service, watched, app):
    ref = refs_with(app, "pressone", "completed")[0]
    await service.get_order(ref)
    await service.get_order(ref, fresh=True)
    await service.get_order(ref)
    assert order_requests(watched) == 2


async def test_a_finished_order_is_asked_for_again_once_its_ttl_is_over(service, watched, app):
    clock = FakeClock()
    service.finished_orders.ttl = 60
    service.finished_orders.clock = clock
    ref = refs_with(app, "zim", "FAILED")[0]
    await service.get_order(ref)
    clock.now += 59
    await service.get_order(ref)
    assert order_requests(watched) == 1
    clock.now += 2
    await service.get_order(ref)
    assert order_requests(watched) == 2


async def test_concurrent_calls_for_one_order_share_one_request(service, watched, app):
    ref = refs_with(app, "zim", "PROCESSING")[0]  # not cached: only the sharing helps
    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(service.get_order, ref)
    assert order_requests(watched) == 1
    assert service.finished_orders.stats.shared == 19


async def test_an_unknown_order_is_not_remembered(service, watched):
    for _ in range(2):
        with pytest.raises(OrderNotFound):
            await service.get_order("pressone:99999999")
    assert order_requests(watched) == 2


async def test_paging_through_a_listing_fetches_each_provider_page_once(service, watched):
    first_page_cost = None
    seen: list[str] = []
    cursor = None
    while True:
        page = await list_orders(service, limit=15, cursor=cursor)
        if first_page_cost is None:
            first_page_cost = watched.pages()
        seen += [o.ref for o in page.orders]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == page.total and len(seen) > 100
    assert first_page_cost == 1  # page 1 of 15 needs PressOne's page 1 of 25, no more
    assert watched.pages() == 5  # 120 orders, 25 a page: each read once over the walk
    assert watched.requests["/zim/orders"] == 1


async def test_fresh_lists_again_and_other_filters_are_their_own_listing(service, watched):
    await service.list_orders(OrderFilter())
    pages = watched.pages()
    await service.list_orders(OrderFilter())
    assert watched.pages() == pages
    await service.list_orders(OrderFilter(), fresh=True)
    assert watched.pages() == 2 * pages
    await service.list_orders(OrderFilter(providers=frozenset({Provider.PRESSONE})))
    assert watched.pages() == 3 * pages


async def test_a_listing_with_a_failed_provider_is_not_kept(app):
    inner = Watched(app)
    down = {"zim": True}

    async def handler(request: httpx2.Request) -> httpx2.Response:
        if down["zim"] and request.url.path.startswith("/zim/orders"):
            return httpx2.Response(503, text="down")
        return await inner.handle_async_request(request)

    transport = httpx2.MockTransport(handler)
    async with open_service(SANDBOX, transport=transport, policy=ONE_ATTEMPT) as service:
        partial_answer = await service.list_orders()
        assert Provider.ZIM in partial_answer.errors
        down["zim"] = False
        whole = await service.list_orders()
    assert not whole.errors
    assert {o.provider for o in whole.orders} == {Provider.PRESSONE, Provider.ZIM}


async def test_changing_a_returned_listing_does_not_change_the_next(service):
    first = await service.list_orders()
    count = len(first.orders)
    first.orders.clear()
    first.totals.clear()
    again = await service.list_orders()
    assert len(again.orders) == count and again.total == count


async def test_zero_ttls_turn_the_caches_off(service, watched, app):
    service.finished_orders.ttl = service.listings.ttl = 0
    ref = refs_with(app, "pressone", "completed")[0]
    await service.get_order(ref)
    await service.get_order(ref)
    await service.list_orders()
    pages = watched.pages()
    await service.list_orders()
    assert order_requests(watched) == 2
    assert watched.pages() == 2 * pages


async def test_the_ttls_are_the_service_s_to_choose():
    async with OrderService({}, httpx2.AsyncClient(), finished_ttl=7, listing_ttl=3) as service:
        assert (service.finished_orders.ttl, service.listings.ttl) == (7, 3)


# ---- the cache itself ----------------------------------------------------------------------


async def test_the_cache_drops_its_least_recently_used_entry_when_full():
    cache: TtlCache[str, int] = TtlCache(60, 2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3


async def test_the_cache_keeps_its_weight_under_the_budget_and_skips_what_is_too_heavy():
    cache: TtlCache[str, list[int]] = TtlCache(60, 10, weigh=len, max_weight=10)
    cache.put("big", list(range(11)))
    assert cache.get("big") is None and len(cache) == 0
    cache.put("full", list(range(10)))  # exactly the budget is kept
    assert cache.get("full") == list(range(10))
    cache.put("a", list(range(6)))  # over the budget together: the least recently used goes
    assert cache.get("full") is None and cache.get("a") == list(range(6))
    cache.put("b", list(range(6)))
    assert cache.get("a") is None and cache.get("b") == list(range(6))
    assert len(cache) == 1


async def test_a_listing_over_the_listed_orders_budget_is_fetched_again_each_time(
    app, watched, monkeypatch
):
    """MAX_LISTED_ORDERS bounds the orders held over all cached listings."""
    monkeypatch.setattr("esim_orders.service.orders.MAX_LISTED_ORDERS", 100)
    only_pressone = OrderFilter(providers=frozenset({Provider.PRESSONE}))
    failed = OrderFilter(statuses=frozenset({OrderStatus.FAILED}))
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as service:
        first = await service.list_orders(only_pressone)
        assert first.total > 100
        pages = watched.pages()
        await service.list_orders(only_pressone)
        assert watched.pages() == 2 * pages  # not kept: over the budget
        small = await service.list_orders(failed)
        assert 0 < small.total <= 100
        pages = watched.pages()
        await service.list_orders(failed)
        assert watched.pages() == pages  # kept: within the budget
        await service.list_orders(only_pressone)  # over the budget: skipped, the others stay
        pages = watched.pages()
        await service.list_orders(failed)
        assert watched.pages() == pages  # still kept


async def test_callers_waiting_on_a_failed_load_get_its_error_once():
    cache: TtlCache[str, int] = TtlCache(60, 10)
    loads = 0

    async def failing() -> int:
        nonlocal loads
        loads += 1
        await anyio.sleep(0.01)
        raise OrderNotFound("pressone:1")

    errors = 0

    async def ask() -> None:
        nonlocal errors
        try:
            await cache.get_or_load("k", failing)
        except OrderNotFound:
            errors += 1

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(ask)
    assert loads == 1 and errors == 5


async def test_waiters_load_themselves_when_the_first_load_is_cancelled():
    """Only the first caller is cancelled: the caller waiting on its load must not inherit the
    cancellation (nor an error, nor nothing) but load the value itself."""
    cache: TtlCache[str, int] = TtlCache(60, 10)
    started = anyio.Event()
    first = anyio.CancelScope()
    results: list[int] = []

    async def slow() -> int:
        started.set()
        await anyio.sleep(10)
        return 1

    async def quick() -> int:
        return 2

    async def first_caller() -> None:
        with first:
            results.append(await cache.get_or_load("k", slow))

    async def waiter() -> None:
        results.append(await cache.get_or_load("k", quick))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(first_caller)
            await started.wait()
            group.start_soon(waiter)
            while cache.stats.shared < 1:  # the waiter is waiting on the first load
                await anyio.sleep(0)
            first.cancel()
    assert first.cancelled_caught
    assert results == [2]
    assert (cache.stats.misses, cache.stats.shared) == (2, 1)
    # The waiter's load is what the cache keeps.
    assert await cache.get_or_load("k", quick) == 2 and cache.stats.hits == 1
