"""Pages across providers: chained by their standings, they are the whole listing, newest
first, with no repeats and no gaps, for the filters each provider applies or cannot."""

from __future__ import annotations

import pytest

from esim_orders.models import OrderFilter, OrderStatus, OrderType
from esim_orders.service.wiring import open_service

from ..helpers import ONE_ATTEMPT, SANDBOX, sandbox_app

FILTERS = {
    "none": OrderFilter(),
    "status": OrderFilter(statuses=frozenset({OrderStatus.FAILED})),
    "type": OrderFilter(type=OrderType.TOP_UP),
}


@pytest.mark.parametrize("limit", [5, 25])
@pytest.mark.parametrize("name", FILTERS)
async def test_chained_pages_are_the_whole_listing_newest_first(name, limit):
    order_filter = FILTERS[name]
    async with open_service(SANDBOX, sandbox_app=sandbox_app(orders=400), policy=ONE_ATTEMPT) as s:
        whole = await s.list_orders(order_filter)
        refs, times, standings, pages = [], [], None, 0
        while True:
            page = await s.list_page(order_filter, limit, standings)
            refs += [o.ref for o in page.orders]
            times += [o.created_at for o in page.orders]
            pages += 1
            if not page.more or pages > 1000:
                break
            standings = page.standings
    # Orders created in the same second keep their provider's order, so compare the times.
    assert len(refs) == len(set(refs)) == len(whole.orders)
    assert set(refs) == {o.ref for o in whole.orders}
    assert times == sorted(times, reverse=True)
    assert pages >= len(refs) // limit


async def test_a_walk_stopped_by_its_page_budget_holds_back_older_orders_of_the_others():
    """PressOne filtering locally (type; two statuses) stops at its page budget with fewer
    than a page of matches; Zim's older matches must wait, or the merged listing would not be
    newest first."""
    statuses = frozenset({OrderStatus.REFUNDED, OrderStatus.FAILED})
    rare = OrderFilter(type=OrderType.TOP_UP, statuses=statuses)
    app = sandbox_app(orders=3000)
    async with open_service(SANDBOX, sandbox_app=app, policy=ONE_ATTEMPT) as s:
        whole = await s.list_orders(rare)
        refs, times, standings, budget_hit = [], [], None, False
        for _ in range(200):
            page = await s.list_page(rare, 50, standings)
            budget_hit = budget_hit or not page.total_exact
            refs += [o.ref for o in page.orders]
            times += [o.created_at for o in page.orders]
            if not page.more:
                break
            standings = page.standings
    assert budget_hit, "the walk never ran out of its budget: the test proves nothing"
    assert {r.partition(":")[0] for r in refs} == {"pressone", "zim"}
    assert sorted(refs) == sorted(o.ref for o in whole.orders) and len(refs) == len(set(refs))
    assert times == sorted(times, reverse=True)
