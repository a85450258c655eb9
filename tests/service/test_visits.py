"""`OrderService.visit_all`: every matching order once, per provider, in bounded memory."""

from __future__ import annotations

import httpx2
import pytest

from esim_orders.errors import ProviderUnavailable
from esim_orders.models import Order, OrderFilter, OrderStatus, Provider
from esim_orders.sandbox import in_process_transport
from esim_orders.service.visits import StopVisit
from esim_orders.service.wiring import open_service

from ..helpers import ONE_ATTEMPT, SANDBOX, sandbox_app

FILTERS = [
    OrderFilter(),
    OrderFilter(statuses=frozenset({OrderStatus.FAILED})),
    OrderFilter(providers=frozenset({Provider.ZIM})),
]


@pytest.mark.parametrize("order_filter", FILTERS, ids=["all", "failed", "zim"])
async def test_every_matching_order_is_visited_once(order_filter: OrderFilter) -> None:
    """The same orders as the whole listing, each once, with each provider's count."""
    async with open_service(SANDBOX, sandbox_app=sandbox_app(orders=150)) as service:
        listing = await service.list_orders(order_filter, fresh=True)
        seen: list[Order] = []
        visited = await service.visit_all(order_filter, seen.append)
    assert sorted(o.ref for o in seen) == sorted(o.ref for o in listing.orders)
    assert len({o.ref for o in seen}) == len(seen) == visited.total > 0
    assert not visited.errors
    for provider, count in visited.counts.items():
        assert count == sum(1 for o in seen if o.provider is provider)


async def test_one_provider_down_is_named_and_the_other_is_visited() -> None:
    inner = in_process_transport(sandbox_app(orders=30))

    async def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.startswith("/zim"):
            return httpx2.Response(503, text="down")
        return await inner.handle_async_request(request)

    transport = httpx2.MockTransport(handler)
    async with open_service(SANDBOX, transport=transport, policy=ONE_ATTEMPT) as service:
        seen: list[Order] = []
        visited = await service.visit_all(None, seen.append)
    assert seen and {o.provider for o in seen} == {Provider.PRESSONE}
    assert isinstance(visited.errors[Provider.ZIM], ProviderUnavailable)
    assert visited.counts == {Provider.PRESSONE: len(seen)}


async def test_a_visitor_that_stops_stops_every_provider() -> None:
    async with open_service(SANDBOX, sandbox_app=sandbox_app(orders=300)) as service:
        seen: list[Order] = []

        def visit(order: Order) -> None:
            seen.append(order)
            if len(seen) == 10:
                raise StopVisit

        with pytest.raises(StopVisit):
            await service.visit_all(None, visit)
    assert len(seen) == 10
