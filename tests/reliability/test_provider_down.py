"""One provider down (500 every time, dropped connections, no answer at all), over real
loopback HTTP: the other provider's data still comes, named errors come in time, the next
call after recovery succeeds, and no connection stays checked out of the pool."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx2
import pytest
from mcp import Client
from starlette.responses import Response

from esim_orders.client.transport import RetryPolicy
from esim_orders.errors import ProviderError
from esim_orders.models import OrderFilter, Provider
from esim_orders.sandbox import in_process_transport
from esim_orders.service.wiring import open_service

from ..helpers import DISPLAY_NAMES, sandbox_app, state, text_of
from ..helpers.loopback import Loopback, checked_out, loopback_transport, pool_of, serve_loopback
from ..helpers.providers import make_server, provider_settings

# Five attempts and short waits: a 500 or a drop runs out of attempts well inside the
# deadline (ten dropped connections took over 0.6 s on a busy CI machine once), a stall (each
# attempt cut by the read timeout: 5 x 0.15 s) runs into the deadline itself.
POLICY = RetryPolicy(
    max_attempts=5,
    backoff_base=0.005,
    backoff_cap=0.02,
    deadline=0.6,
    connect_timeout=1.0,
    read_timeout=0.15,
)
# Time a tool call may take beyond the deadline: the MCP round trip and the other provider.
SLACK = 0.5
OTHER = {"pressone": "zim", "zim": "pressone"}


@pytest.fixture(scope="module")
def provider() -> Iterator[Loopback]:
    app = sandbox_app(orders=10, stall_s=0.8)
    with serve_loopback(app) as running:
        running.app = app  # type: ignore[attr-defined]
        yield running


def refs(app, name: str) -> list[str]:
    orders = getattr(state(app).data, name).orders
    return [f"{name}:{order.id}" for order in orders]


@pytest.mark.parametrize("kind", ["500", "drop", "stall"])
@pytest.mark.parametrize("down", ["pressone", "zim"])
async def test_one_provider_down_the_other_answers_and_recovery_is_immediate(
    provider: Loopback, down: str, kind: str
) -> None:
    app = provider.app  # type: ignore[attr-defined]
    sandbox = state(app)
    up = OTHER[down]
    transport = loopback_transport()
    made = make_server(provider_settings(provider.origin), policy=POLICY, transport=transport)
    sandbox.config.fault_rate = 1.0
    sandbox.config.faults = (kind,)
    sandbox.config.fault_providers = (down,)
    try:
        async with Client(made.server) as client:

            async def timed(tool: str, **arguments):
                started = time.monotonic()
                result = await client.call_tool(tool, arguments)
                elapsed = time.monotonic() - started
                assert elapsed < POLICY.deadline + SLACK, (tool, arguments, elapsed)
                return result

            listing = await timed("list_orders", limit=100)
            only_down = await timed("list_orders", provider=down)
            one_down = await timed("get_order", ref=refs(app, down)[0])
            explained = await timed("explain_failure", ref=refs(app, down)[0])
            one_up = await timed("get_order", ref=refs(app, up)[0])
            assert not checked_out(pool_of(transport)), "while the provider is down"

            sandbox.config.fault_rate = 0.0
            recovered = await timed("list_orders", limit=100)
            after = await timed("get_order", ref=refs(app, down)[0])
    finally:
        sandbox.config.fault_rate = 0.0

    # The listing carries the other provider's orders and names the failed one.
    assert not listing.is_error
    page = listing.structured_content or {}
    assert page["orders"] and {o["ref"].split(":")[0] for o in page["orders"]} == {up}
    [issue] = page["provider_errors"]
    assert issue["provider"] == down
    assert issue["error"].startswith(f"{DISPLAY_NAMES[down]} ")
    assert "retry in a minute" in issue["error"]
    assert f"! {down}: {DISPLAY_NAMES[down]} " in text_of(listing)
    # Asked only of the failed provider, the calls are tool errors that name it.
    for result in (only_down, one_down, explained):
        assert result.is_error
        said = text_of(result)
        assert said.startswith(f"{DISPLAY_NAMES[down]} ")
        if kind == "stall":
            assert "did not answer in time" in said
        else:
            assert "is unavailable" in said
    assert not one_up.is_error
    # The fault cleared: the very next calls succeed, with both providers.
    assert not recovered.is_error
    fine = recovered.structured_content or {}
    assert "provider_errors" not in fine or not fine["provider_errors"]
    assert {o["ref"].split(":")[0] for o in fine["orders"]} == {"pressone", "zim"}
    assert not after.is_error
    # Every request the client sent has been answered or abandoned, and handed back.
    assert not checked_out(pool_of(transport))
    assert sandbox.stats.faults[kind] > 0


async def test_the_pool_check_sees_a_response_left_open(provider: Loopback) -> None:
    """The check above would catch a leak: a streamed response nobody closed holds both a
    request slot and a busy connection until it is closed."""
    transport = loopback_transport()
    async with httpx2.AsyncClient(transport=transport) as http:
        request = http.build_request("POST", provider.origin + "/zim/oauth2/token")
        response = await http.send(request, stream=True)
        assert checked_out(pool_of(transport))
        await response.aclose()
        assert not checked_out(pool_of(transport))


def failing_page(inner, page: str, body: bytes = b'{"data": [{"id": 1, "co'):
    """`inner`, except that PressOne's order list page `page` answers `body` (truncated JSON
    by default) with status 200, every time."""

    async def app(scope, receive, send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"].endswith("/pressone/customer/v2/orders")
            and parse_qs(scope["query_string"].decode()).get("page") == [page]
        ):
            await Response(body, media_type="application/json")(scope, receive, send)
            return
        await inner(scope, receive, send)

    return app


async def test_a_later_pressone_page_that_fails_is_pressones_named_error_and_zim_stands() -> None:
    """A page read after the first failing (a filter applied here walks on) is PressOne's
    error, not an internal error that also loses Zim's answer."""
    app = failing_page(sandbox_app(orders=250), page="2")  # PressOne: pages 1 to 3
    made = make_server(provider_settings(), policy=POLICY, app=app)
    top_ups = {"type": "TOP_UP", "limit": 100}  # PressOne cannot filter by type: walks pages
    async with Client(made.server) as client:
        both = await client.call_tool("list_orders", top_ups)
        alone = await client.call_tool("list_orders", {"provider": "pressone", **top_ups})

    assert not both.is_error, text_of(both)
    page = both.structured_content or {}
    assert {o["ref"].split(":")[0] for o in page["orders"]} == {"zim"}
    [issue] = page["provider_errors"]
    assert issue["provider"] == "pressone"
    assert issue["error"].startswith("PressOne "), issue
    assert alone.is_error
    assert text_of(alone).startswith("PressOne "), text_of(alone)


async def test_streaming_orders_raises_the_providers_error_when_a_later_page_fails() -> None:
    """`iter_orders` (the explorer's and export's path) raises the named `ProviderError`,
    never an `ExceptionGroup` the faces do not know."""
    app = failing_page(sandbox_app(orders=250), page="2")
    service = open_service(provider_settings(), transport=in_process_transport(app), policy=POLICY)
    async with service:
        with pytest.raises(ProviderError) as raised:
            async for _ in service.iter_orders(OrderFilter(provider=Provider.PRESSONE)):
                pass
    assert raised.value.provider == "pressone"


async def test_a_bug_in_one_providers_reading_is_its_named_error_not_the_whole_call() -> None:
    """Whatever breaks inside one provider's work (here a plain bug), the listing keeps the
    other provider's orders and names the provider that failed."""

    async def broken(*_: object) -> None:
        raise KeyError("a bug while reading")

    def break_zim(service) -> None:
        service.clients[Provider.ZIM].page_after = broken

    made = make_server(provider_settings(), policy=POLICY, app=sandbox_app(), patch=break_zim)
    async with Client(made.server) as client:
        result = await client.call_tool("list_orders", {"limit": 5})
    assert not result.is_error, text_of(result)
    page = result.structured_content or {}
    assert {o["ref"].split(":")[0] for o in page["orders"]} == {"pressone"}
    [issue] = page["provider_errors"]
    assert issue["provider"] == "zim" and issue["error"].startswith("Zim "), issue
