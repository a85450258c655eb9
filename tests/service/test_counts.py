"""Counting orders without listing them: the counts equal a full read's, by provider and
status, for the filters each provider applies itself, at a few requests whatever the account
holds; a provider that cannot count says so, and one failing spares the others."""

from __future__ import annotations

from collections import Counter

import pytest

from esim_orders.errors import ProviderError
from esim_orders.models import OrderFilter, OrderStatus, OrderType, Provider
from esim_orders.service.wiring import open_service
from esim_orders.tools.count_orders import count_orders

from ..helpers import NOW, ONE_ATTEMPT, SANDBOX, sandbox_app, state

PRESSONE_LIST = ("pressone", "/customer/v2/orders")
START = NOW.date().replace(day=1)
FILTERS = {
    "none": OrderFilter(),
    "refunded (two slugs)": OrderFilter(statuses=frozenset({OrderStatus.REFUNDED})),
    "unknown and failed": OrderFilter(
        statuses=frozenset({OrderStatus.UNKNOWN, OrderStatus.FAILED})
    ),
    "created range": OrderFilter(
        created_after=NOW.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    ),
    "zim only": OrderFilter(providers=frozenset({Provider.ZIM})),
}


@pytest.mark.parametrize("name", FILTERS)
async def test_counts_by_provider_and_status_equal_a_full_read(name):
    order_filter = FILTERS[name]
    app = sandbox_app(orders=1500)
    async with open_service(SANDBOX, sandbox_app=app) as service:
        whole = await service.list_orders(order_filter)
        assert not whole.errors
        state(app).reset_stats()
        counted = await service.count_by_status(order_filter)
        requests = state(app).stats.api_requests[PRESSONE_LIST]
    expected: dict[Provider, Counter[OrderStatus]] = {}
    for order in whole.orders:
        expected.setdefault(order.provider, Counter())[order.status] += 1
    asked = {p for p in (Provider.PRESSONE, Provider.ZIM) if order_filter.wants(p)}
    assert set(counted.counts) == asked
    assert counted.counts == {p: dict(expected.get(p, {})) for p in asked}
    assert not counted.uncounted and not counted.errors
    assert sum(sum(c.values()) for c in counted.counts.values()) > 0
    # PressOne's 1,500 orders are 15 pages: the counts are one `limit=1` request per slug
    # (four) and one for the unfiltered total, at most.
    assert requests <= 5


@pytest.mark.parametrize(
    "filters", [{"type": OrderType.TOP_UP}, {"text": "south africa"}], ids=["type", "text"]
)
async def test_a_filter_pressone_cannot_apply_leaves_it_uncounted_not_read_through(filters):
    app = sandbox_app(orders=300)
    async with open_service(SANDBOX, sandbox_app=app, policy=ONE_ATTEMPT) as service:
        state(app).reset_stats()
        counts = await count_orders(service, **filters)
    assert counts.uncounted == [Provider.PRESSONE]
    assert Provider.ZIM in counts.by_provider and not counts.complete
    assert state(app).stats.api_requests[PRESSONE_LIST] == 0


async def test_the_tool_counts_sum_by_status_and_provider():
    app = sandbox_app(orders=300)
    async with open_service(SANDBOX, sandbox_app=app, policy=ONE_ATTEMPT) as service:
        counts = await count_orders(service, created_after=START)
        whole = await service.list_orders(FILTERS["created range"])
    failed = [o for o in whole.orders if o.status == OrderStatus.FAILED]
    assert counts.complete
    assert counts.of() == len(whole.orders)
    assert counts.of(OrderStatus.FAILED) == len(failed)
    assert counts.of(OrderStatus.FAILED, Provider.ZIM) == sum(
        o.provider == Provider.ZIM for o in failed
    )


async def test_one_provider_failing_spares_the_other_and_all_failing_raises():
    app = sandbox_app(orders=100, fault_rate=1.0, faults=("500",), fault_providers=("pressone",))
    async with open_service(SANDBOX, sandbox_app=app, policy=ONE_ATTEMPT) as service:
        counts = await count_orders(service)
        assert [issue.provider for issue in counts.provider_errors] == [Provider.PRESSONE]
        assert counts.of() > 0 and set(counts.by_provider) == {Provider.ZIM}
        with pytest.raises(ProviderError):
            await count_orders(service, provider=Provider.PRESSONE)
