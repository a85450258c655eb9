"""Access tokens under load, through the MCP client: one fetch per provider for a cold burst,
one refresh when tokens expire mid-run, and a clear error (not a loop) when a fresh token
is refused too."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import anyio
from mcp import Client
from mcp_types import CallToolResult
from starlette.applications import Starlette

from ..helpers import TWO_ATTEMPTS, sandbox_app, state, text_of
from ..helpers.providers import every_call_reaches_the_providers, make_server, provider_settings

# One retry, as elsewhere; bursts of concurrent calls get a longer deadline.
POLICY = replace(TWO_ATTEMPTS, deadline=10.0)


def mixed_calls(app: Starlette, count: int) -> list[tuple[str, dict[str, Any]]]:
    """Every tool, on orders of both providers, round robin."""
    data = state(app).data
    pressone = [f"pressone:{o.id}" for o in data.pressone.orders]
    zim = [f"zim:{o.id}" for o in data.zim.orders]
    shapes = [
        lambda i: ("get_order", {"ref": pressone[i % len(pressone)]}),
        lambda i: ("get_order", {"ref": zim[i % len(zim)]}),
        lambda i: ("explain_failure", {"ref": zim[i % len(zim)]}),
        lambda i: ("explain_failure", {"ref": pressone[i % len(pressone)]}),
        lambda i: ("list_orders", {"limit": 3}),
    ]
    return [shapes[i % len(shapes)](i) for i in range(count)]


async def burst(client: Client, calls: list[tuple[str, dict[str, Any]]]) -> list[CallToolResult]:
    results: list[CallToolResult | None] = [None] * len(calls)

    async def one(index: int, tool: str, arguments: dict[str, Any]) -> None:
        results[index] = await client.call_tool(tool, arguments)

    async with anyio.create_task_group() as group:
        for index, (tool, arguments) in enumerate(calls):
            group.start_soon(one, index, tool, arguments)
    assert all(result is not None for result in results)
    return results  # type: ignore[return-value]


def failures(results: list[CallToolResult]) -> list[str]:
    return [text_of(result) for result in results if result.is_error]


async def test_200_concurrent_calls_on_a_cold_start_fetch_one_token_per_provider() -> None:
    # Latency keeps the first token request in flight while the other 199 calls arrive.
    app = sandbox_app(orders=10, latency_ms=20)
    made = make_server(provider_settings(), policy=POLICY, app=app)
    async with Client(made.server) as client:
        results = await burst(client, mixed_calls(app, 200))
    assert not failures(results)
    stats = state(app).stats
    assert stats.token_requests == {"pressone": 1, "zim": 1}
    assert stats.tokens_issued == {"pressone": 1, "zim": 1}
    assert stats.unauthorized.total() == 0


def distinct_listings(count: int) -> list[tuple[str, dict[str, Any]]]:
    """Listings with filters of their own, so no two share one load in the service."""
    return [
        ("list_orders", {"created_after": f"20{10 + i // 12:02d}-{1 + i % 12:02d}-01"})
        for i in range(count)
    ]


async def test_tokens_that_expire_mid_run_are_refreshed_once_per_provider() -> None:
    app = sandbox_app(orders=10, latency_ms=5)
    sandbox = state(app)
    clock = [1000.0]
    sandbox.clock = lambda: clock[0]  # the sandbox judges token age by this clock alone
    made = make_server(
        provider_settings(), policy=POLICY, app=app, patch=every_call_reaches_the_providers
    )
    async with Client(made.server) as client:
        first = await burst(client, mixed_calls(app, 50))
        assert sandbox.stats.token_requests == {"pressone": 1, "zim": 1}
        # Both tokens expire at the provider; the client still believes them good for hours.
        clock[0] += sandbox.config.pressone_token_ttl_s + 1
        second = await burst(client, mixed_calls(app, 50) + distinct_listings(50))
        third = await burst(client, mixed_calls(app, 20))
    assert not failures(first + second + third)
    assert sandbox.stats.unauthorized["pressone"] > 0
    assert sandbox.stats.unauthorized["zim"] > 0
    assert sandbox.stats.token_requests == {"pressone": 2, "zim": 2}


async def test_a_token_refused_right_after_its_refresh_is_a_credentials_error_not_a_loop() -> None:
    # Every token the sandbox issues is refused at once: a refresh cannot help.
    app = sandbox_app(orders=10, early_token_expiry_s=0.0)
    sandbox = state(app)
    made = make_server(
        provider_settings(), policy=POLICY, app=app, patch=every_call_reaches_the_providers
    )
    async with Client(made.server) as client:
        pressone = await client.call_tool("list_orders", {"provider": "pressone"})
        zim = await client.call_tool("get_order", {"ref": "zim:ordr_FaiL1234567890abcdEFG"})
        both = await client.call_tool("list_orders", {})
        assert sandbox.stats.token_requests == {"pressone": 4, "zim": 4}
        crowd = await burst(client, distinct_listings(20))
    assert pressone.is_error and zim.is_error and both.is_error
    assert text_of(pressone) == (
        "PressOne: credentials rejected (Unauthenticated.); "
        "check PRESSONE_CLIENT_ID and PRESSONE_CLIENT_SECRET."
    )
    assert text_of(zim).startswith("Zim: credentials rejected (Unauthorized); check ZIM_CLIENT_ID")
    assert text_of(both).startswith(("PressOne: credentials rejected", "Zim: credentials rejected"))
    # One token, one call, one fresh token, one more call: then the error, per logical call.
    assert sandbox.stats.api_requests[("pressone", "/customer/v2/orders")] == 4 + 2 * 20
    # Zim's list is the whole account whatever the filter: the crowd's 20 listings share one
    # download (and its one token replacement).
    assert sandbox.stats.api_requests[("zim", "/orders")] == 2 + 2
    assert sandbox.stats.api_requests[("zim", "/orders/{id}")] == 2
    assert all(result.is_error for result in crowd)
    assert sandbox.stats.token_requests["pressone"] <= 4 + 2 * 20
    assert sandbox.stats.token_requests["zim"] <= 4 + 2 * 20
