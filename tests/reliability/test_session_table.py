"""The stateful session table under a flood of `initialize` requests: a new client always gets
in (the longest-idle sessions make room), and a session nobody uses expires.

Raw initialize POSTs play the flood, as anyone who reaches the port could send them; the
client that must still get in is the SDK's, in the handshake era that opens a session.
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import httpx2
import pytest
from mcp import Client

from ..helpers.processes import INITIALIZE, ServerProcess, http_server_process, server_env

CAP = 20
FLOOD = CAP + 10
IDLE_SECONDS = 1.5
PROTOCOL = INITIALIZE["params"]["protocolVersion"]
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


@pytest.fixture(scope="module")
def capped() -> Iterator[ServerProcess]:
    env = server_env(ESIM_ORDERS_PROVIDERS="sandbox", ESIM_ORDERS_MAX_SESSIONS=str(CAP))
    with http_server_process(env) as server:
        yield server


async def open_session(http: httpx2.AsyncClient, url: str) -> str:
    """One raw initialize: the session id the server handed out."""
    response = await http.post(url, json=INITIALIZE, headers=ACCEPT)
    assert response.status_code == 200, response.text[:200]
    return response.headers["mcp-session-id"]


async def is_open(http: httpx2.AsyncClient, url: str, session: str) -> bool:
    """Whether the server still knows `session` (202 for a notification; 404 once gone)."""
    headers = {**ACCEPT, "mcp-session-id": session, "mcp-protocol-version": PROTOCOL}
    response = await http.post(url, json=INITIALIZED, headers=headers)
    assert response.status_code in (202, 404), response.text[:200]
    return response.status_code == 202


async def test_a_flood_of_initialize_requests_never_locks_out_a_new_client(
    capped: ServerProcess,
) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        sessions = [await open_session(http, capped.url) for _ in range(FLOOD)]
        still_open = [await is_open(http, capped.url, session) for session in sessions]
    # Every initialize got in; the table kept the CAP most recently used, the oldest made room.
    assert still_open == [False] * (FLOOD - CAP) + [True] * CAP
    async with Client(capped.url, mode="legacy") as client:
        page = await client.call_tool("list_orders", {"limit": 1})
    assert not page.is_error
    assert "Traceback" not in capped.stderr


async def test_a_session_left_idle_expires_and_one_in_use_does_not() -> None:
    env = server_env(
        ESIM_ORDERS_PROVIDERS="sandbox", ESIM_ORDERS_SESSION_IDLE_SECONDS=str(IDLE_SECONDS)
    )
    with http_server_process(env) as server:
        async with httpx2.AsyncClient(timeout=10) as http:
            used, left = await open_session(http, server.url), await open_session(http, server.url)
            for _ in range(4):  # 2 s in use, past the idle time, a request every 0.5 s
                await anyio.sleep(IDLE_SECONDS / 3)
                assert await is_open(http, server.url, used)
            assert not await is_open(http, server.url, left)
            await anyio.sleep(IDLE_SECONDS + 1.0)
            assert not await is_open(http, server.url, used)
