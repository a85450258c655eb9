"""SIGTERM while tool calls are in flight: they finish within the grace period, or answer that
the server is shutting down; the process exits 0 with nothing alarming on stderr.

The providers are the sandbox on loopback HTTP in this process, slowed down once the tokens
are fetched, so that every call is still waiting on its provider when the signal arrives.
The sandbox counts the requests that reached it, which says when all the calls are in flight.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp_types import CallToolResult
from starlette.applications import Starlette

from ..helpers import sandbox_app, state, text_of
from ..helpers.loopback import Loopback, serve_loopback
from ..helpers.processes import INITIALIZE, ServerProcess, http_server_process, server_env
from ..helpers.providers import Credentials, provider_env

CALLS = 20
# Each mode's calls take longer than what used to cut them: an open event stream held the
# stateful server until uvicorn's 3 s shutdown timeout cancelled everything; stateless calls
# were cut at those 3 s too; the workers' supervisor killed them 8 s after the signal.
MODES = [
    pytest.param((), "legacy", 3500, id="stateful"),
    pytest.param(("--stateless",), "auto", 4000, id="stateless"),
    pytest.param(("--workers", "2"), "auto", 9000, id="workers"),
]


@pytest.fixture
def provider() -> Iterator[tuple[Starlette, Loopback]]:
    app = sandbox_app(orders=60)
    with serve_loopback(app) as loopback:
        yield app, loopback


def refs(app: Starlette) -> list[str]:
    return [f"pressone:{order.id}" for order in state(app).data.pressone.orders]


def quiet(stderr: str) -> None:
    """Nothing on stderr that would page someone: no traceback, no ERROR line."""
    assert "Traceback" not in stderr, stderr
    assert " ERROR " not in stderr, stderr


async def call_all(client: Client, names: list[str]) -> list[CallToolResult | BaseException]:
    """`get_order` for each ref at once; each outcome, an exception included."""
    outcomes: list[CallToolResult | BaseException] = [RuntimeError("never ran")] * len(names)

    async def one(i: int) -> None:
        try:
            outcomes[i] = await client.call_tool("get_order", {"ref": names[i]})
        except Exception as exc:
            outcomes[i] = exc

    async with anyio.create_task_group() as group:
        for i in range(len(names)):
            group.start_soon(one, i)
    return outcomes


async def sigterm_with_calls_in_flight(
    server: ServerProcess,
    app: Starlette,
    mode: str,
    latency_ms: float,
    *,
    again_after: float | None = None,
) -> tuple[list[CallToolResult | BaseException], float]:
    """Warm the tokens (and every worker) at full speed, slow the provider down, start CALLS
    calls for orders no cache holds, and send SIGTERM once all of them reached the provider
    (and again `again_after` seconds later, if given). The outcomes, and the seconds from the
    first signal to the process's exit."""
    names = refs(app)
    async with Client(server.url, mode=mode) as client:
        warm = await call_all(client, names[CALLS : 2 * CALLS])
        assert all(isinstance(o, CallToolResult) and not o.is_error for o in warm), warm
        sandbox = state(app)
        sandbox.reset_stats()
        sandbox.config.latency_ms = latency_ms
        async with anyio.create_task_group() as group:

            async def calls() -> None:
                nonlocal outcomes
                outcomes = await call_all(client, names[:CALLS])

            outcomes: list[Any] = []
            group.start_soon(calls)
            with anyio.fail_after(10):
                while sum(sandbox.stats.api_requests.values()) < CALLS:
                    await anyio.sleep(0.02)
            server.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            if again_after is not None:
                await anyio.sleep(again_after)
                server.process.send_signal(signal.SIGTERM)
        code = await anyio.to_thread.run_sync(server.process.wait, 40)
        exited = time.monotonic() - signalled
    assert code == 0, server.stderr
    return outcomes, exited


@pytest.mark.parametrize(("args", "mode", "latency_ms"), MODES)
async def test_sigterm_lets_every_call_in_flight_finish(
    provider: tuple[Starlette, Loopback], args: tuple[str, ...], mode: str, latency_ms: float
) -> None:
    app, loopback = provider
    env = server_env(provider_env(loopback.origin, Credentials()))
    with http_server_process(env, *args) as server:
        outcomes, _ = await sigterm_with_calls_in_flight(server, app, mode, latency_ms)
        time.sleep(0.1)  # the last stderr lines
        assert [type(o).__name__ for o in outcomes] == ["CallToolResult"] * CALLS, outcomes
        answered = [o for o in outcomes if isinstance(o, CallToolResult)]
        assert [o.is_error for o in answered] == [False] * CALLS, [text_of(o) for o in answered]
        asked = refs(app)[:CALLS]
        assert [(o.structured_content or {}).get("ref") for o in answered] == asked
        quiet(server.stderr)


async def test_calls_past_the_grace_period_answer_that_the_server_is_shutting_down(
    provider: tuple[Starlette, Loopback],
) -> None:
    app, loopback = provider
    grace = 1.0
    env = server_env(
        provider_env(loopback.origin, Credentials()),
        ESIM_ORDERS_SHUTDOWN_GRACE_SECONDS=str(grace),
    )
    with http_server_process(env) as server:
        outcomes, exited = await sigterm_with_calls_in_flight(server, app, "legacy", 6000)
        time.sleep(0.1)
        assert [type(o).__name__ for o in outcomes] == ["CallToolResult"] * CALLS, outcomes
        answered = [o for o in outcomes if isinstance(o, CallToolResult)]
        assert all(o.is_error for o in answered)
        for outcome in answered:
            assert "shutting down" in text_of(outcome)
            assert "retry" in text_of(outcome).lower()
        assert exited < grace + 4
        quiet(server.stderr)


async def test_a_second_sigterm_cuts_at_once_and_every_call_still_gets_an_answer(
    provider: tuple[Starlette, Loopback],
) -> None:
    app, loopback = provider
    env = server_env(provider_env(loopback.origin, Credentials()))
    with http_server_process(env) as server:
        outcomes, exited = await sigterm_with_calls_in_flight(
            server, app, "legacy", 8000, again_after=0.5
        )
        time.sleep(0.1)
        assert [type(o).__name__ for o in outcomes] == ["CallToolResult"] * CALLS, outcomes
        answered = [o for o in outcomes if isinstance(o, CallToolResult)]
        assert all(o.is_error and "shutting down" in text_of(o) for o in answered)
        assert exited < 0.5 + 4  # not the 25 s grace, nor the 8 s the calls would take
        quiet(server.stderr)


async def test_sigterm_with_an_idle_client_connected_exits_without_a_traceback() -> None:
    env = server_env(ESIM_ORDERS_PROVIDERS="sandbox")
    with http_server_process(env) as server:
        async with Client(server.url, mode="legacy") as client:
            page = await client.call_tool("list_orders", {"limit": 1})
            assert not page.is_error
            await anyio.sleep(0.3)  # its event stream open, nothing in flight
            server.process.send_signal(signal.SIGTERM)
            code = await anyio.to_thread.run_sync(server.process.wait, 10)
        time.sleep(0.1)
        assert code == 0
        quiet(server.stderr)


async def test_sigterm_closes_a_listen_stream_gracefully_and_exits_without_a_traceback() -> None:
    """A client of the 2026 protocol era listening for changes holds a POST open for as long
    as it likes; a stop ends it the way that tells the client it was on purpose."""
    env = server_env(ESIM_ORDERS_PROVIDERS="sandbox")
    with http_server_process(env) as server:
        async with (
            Client(server.url) as client,
            client.listen(tools_list_changed=True) as subscription,
        ):
            server.process.send_signal(signal.SIGTERM)
            with anyio.fail_after(10):
                events = [event async for event in subscription]
            code = await anyio.to_thread.run_sync(server.process.wait, 10)
        time.sleep(0.1)
        assert events == []
        assert code == 0
        quiet(server.stderr)


# ---- stdio ---------------------------------------------------------------------------------


def rpc(process: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
    assert process.stdin is not None
    process.stdin.write(json.dumps(message).encode() + b"\n")
    process.stdin.flush()


def answer(process: subprocess.Popen[bytes]) -> dict[str, Any]:
    assert process.stdout is not None
    return json.loads(process.stdout.readline())


def get_order(request_id: int, ref: str) -> dict[str, Any]:
    params = {"name": "get_order", "arguments": {"ref": ref}}
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


@pytest.mark.parametrize(
    ("grace", "latency_ms", "finished"),
    [pytest.param(None, 2500, True, id="within-grace"), pytest.param(1, 6000, False, id="past")],
)
def test_sigterm_over_stdio_lets_calls_finish_or_answers_that_it_is_stopping(
    provider: tuple[Starlette, Loopback], grace: float | None, latency_ms: float, finished: bool
) -> None:
    app, loopback = provider
    extra = {} if grace is None else {"ESIM_ORDERS_SHUTDOWN_GRACE_SECONDS": str(grace)}
    env = server_env(provider_env(loopback.origin, Credentials()), **extra)
    process = subprocess.Popen(
        [sys.executable, "-m", "esim_orders", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    names = refs(app)
    try:
        rpc(process, INITIALIZE)
        assert answer(process)["result"]["serverInfo"]["name"] == "esim-orders"
        rpc(process, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        rpc(process, get_order(1, names[-1]))  # the tokens, at full speed
        assert not answer(process)["result"].get("isError")
        sandbox = state(app)
        sandbox.reset_stats()
        sandbox.config.latency_ms = latency_ms
        for i in range(5):
            rpc(process, get_order(10 + i, names[i]))
        deadline = time.monotonic() + 10
        while sum(sandbox.stats.api_requests.values()) < 5:
            assert time.monotonic() < deadline, "the calls did not reach the provider"
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        assert process.wait(latency_ms / 1000 + 8) == 0
        assert process.stdout is not None and process.stderr is not None
        answers = [json.loads(line) for line in process.stdout.read().splitlines()]
        stderr = process.stderr.read().decode()
    finally:
        process.kill()
        assert process.stdin is not None
        process.stdin.close()
    assert sorted(a["id"] for a in answers) == [10, 11, 12, 13, 14]
    for a in answers:
        text = a["result"]["content"][0]["text"]
        assert a["result"].get("isError", False) is not finished, text
        if not finished:
            assert "shutting down" in text
    quiet(stderr)
