"""The service over the in-process sandbox: fan-out, partial failure, envelopes, sync facade."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx2
import pytest

from esim_orders.errors import InvalidRef, ProviderUnavailable
from esim_orders.models import OrderFilter, OrderStatus, Provider
from esim_orders.sandbox import in_process_transport
from esim_orders.service.orders import Source
from esim_orders.service.sync import SyncOrderService
from esim_orders.service.wiring import open_service

from ..helpers import SANDBOX, TWO_ATTEMPTS, sandbox_app
from ..helpers.providers import provider_settings


def failing(provider_path: str, inner: httpx2.AsyncBaseTransport) -> httpx2.MockTransport:
    """The sandbox, except one provider answers 500 to everything."""

    async def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.startswith(provider_path):
            return httpx2.Response(500, text="down")
        return await inner.handle_async_request(request)

    return httpx2.MockTransport(handler)


async def test_one_provider_down_still_returns_the_other_with_the_failure_named():
    transport = failing("/zim", in_process_transport(sandbox_app()))
    async with open_service(SANDBOX, transport=transport, policy=TWO_ATTEMPTS) as service:
        listing = await service.list_orders()
    assert listing.orders and {o.provider for o in listing.orders} == {Provider.PRESSONE}
    assert isinstance(listing.errors[Provider.ZIM], ProviderUnavailable)
    assert listing.total is None  # not every provider could say


async def test_every_pressone_envelope_variant_lists_and_gets_the_same_orders():
    """Bare upstream answers, the gateway's envelope around the upstream body, and the envelope
    around the upstream's `data` alone: token, list and single order read in all three."""
    only_pressone = OrderFilter(providers=frozenset({Provider.PRESSONE}))
    refs = []
    for envelope in ("bare", "wrapped", "wrapped-data"):
        async with open_service(
            SANDBOX, sandbox_app=sandbox_app(pressone_envelope=envelope)
        ) as service:
            listing = await service.list_orders(only_pressone)
            one = await service.get_order(listing.orders[0].ref)
        assert one.ref == listing.orders[0].ref
        refs.append([o.ref for o in listing.orders])
    assert refs[0] == refs[1] == refs[2] and len(refs[0]) >= 40


async def test_small_provider_pages_are_all_fetched():
    async with open_service(SANDBOX, sandbox_app=sandbox_app(pressone_page_cap=7)) as service:
        listing = await service.list_orders(OrderFilter(providers=frozenset({Provider.PRESSONE})))
    assert len(listing.orders) >= 40
    assert len({o.ref for o in listing.orders}) == len(listing.orders)


async def test_unknown_statuses_from_the_sandbox_are_listed_as_unknown():
    async with open_service(SANDBOX, sandbox_app=sandbox_app()) as service:
        listing = await service.list_orders(OrderFilter(statuses=frozenset({OrderStatus.UNKNOWN})))
    assert {o.provider for o in listing.orders} == {Provider.PRESSONE, Provider.ZIM}
    assert all(o.provider_status for o in listing.orders)


@pytest.mark.parametrize("ref", ["acme:1", "pressone:", "hello", "zim:"])
async def test_refs_that_name_no_order_are_invalid(ref):
    async with open_service(SANDBOX, sandbox_app=sandbox_app()) as service:
        with pytest.raises(InvalidRef):
            await service.get_order(ref)


def test_sync_facade_works_in_a_plain_script():
    with SyncOrderService(SANDBOX, sandbox_app=sandbox_app()) as orders:
        listing = orders.list_orders()
        order = orders.get_order(listing.orders[0].ref)
    assert order.ref == listing.orders[0].ref


def test_sync_facade_works_where_an_event_loop_already_runs():
    async def notebook_cell():
        # A Jupyter cell: synchronous code on a thread whose event loop is running.
        with SyncOrderService(SANDBOX, sandbox_app=sandbox_app()) as orders:
            return orders.get_order("zim:ordr_FaiL1234567890abcdEFG")

    order = asyncio.run(notebook_cell())
    assert order.status is OrderStatus.FAILED


def test_an_unclosed_sync_facade_does_not_keep_the_interpreter_alive():
    script = (
        "from esim_orders.service.sync import SyncOrderService\n"
        "from esim_orders.settings import Settings\n"
        "orders = SyncOrderService(Settings.from_env({'ESIM_ORDERS_PROVIDERS': 'sandbox'}))\n"
        "print(len(orders.list_orders().orders))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 1000


async def test_the_service_says_by_a_typed_flag_whether_it_serves_the_sandbox():
    async with open_service(SANDBOX, sandbox_app=sandbox_app()) as sandboxed:
        assert sandboxed.is_sandbox and sandboxed.source is Source.SANDBOX
        assert str(sandboxed.source) == "embedded sandbox"  # the words faces show
    transport = in_process_transport(sandbox_app())
    async with open_service(provider_settings(), transport=transport) as live:
        assert not live.is_sandbox and live.source is Source.PROVIDERS
