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
