"""The streamable HTTP transport bound to every interface, behind a bearer token: who gets
in, how much they may send, and which Host and Origin they may claim.

Complements tests/server/test_transports.py (the token on its own, Host and Origin on
loopback, the body cap without a token) with every guard at once on one exposed server.
The MCP conformance suite's `dns-rebinding-protection` scenario runs in CI
(`scripts/conformance.sh dns-rebinding-protection`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from ..helpers.processes import INITIALIZE, ServerProcess, http_server_process, server_env

TOKEN = "reliability-token-5e0c2b19f3"
ALLOWED = "orders.example.test"
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
BEARER = {"Authorization": f"Bearer {TOKEN}"}
OVER_CAP = {**INITIALIZE, "params": {**INITIALIZE["params"], "pad": "x" * 1_100_000}}


@pytest.fixture(scope="module")
def exposed() -> Iterator[ServerProcess]:
    env = server_env(
        ESIM_ORDERS_PROVIDERS="sandbox",
        ESIM_ORDERS_HTTP_TOKEN=TOKEN,
        ESIM_ORDERS_ALLOWED_HOSTS=ALLOWED,
    )
    with http_server_process(env, "--host", "0.0.0.0") as server:
        yield server


async def post(
    server: ServerProcess, body: dict[str, Any], headers: dict[str, str]
) -> httpx2.Response:
    async with httpx2.AsyncClient(timeout=10) as http:
        return await http.post(server.url, json=body, headers={**ACCEPT, **headers})


@pytest.mark.parametrize(
    ("case", "headers", "body", "status"),
    [
        ("no token", {}, INITIALIZE, 401),
        ("wrong token", {"Authorization": "Bearer not-the-token"}, INITIALIZE, 401),
        ("token with another scheme", {"Authorization": f"Token {TOKEN}"}, INITIALIZE, 401),
        ("token as a prefix", {"Authorization": f"Bearer {TOKEN}x"}, INITIALIZE, 401),
        ("right token", BEARER, INITIALIZE, 200),
        ("right token, body over 1 MB", BEARER, OVER_CAP, 413),
        ("no token, body over 1 MB", {}, OVER_CAP, 401),
        ("right token, foreign Host", {**BEARER, "Host": "evil.example.com"}, INITIALIZE, 421),
        (
            "right token, rebinding Host",
            {**BEARER, "Host": "evil.example.com:8000"},
            INITIALIZE,
            421,
        ),
        ("right token, allowed Host", {**BEARER, "Host": ALLOWED}, INITIALIZE, 200),
        (
            "right token, foreign Origin",
            {**BEARER, "Origin": "http://evil.example.com"},
            INITIALIZE,
            403,
        ),
        (
            "right token, local Origin",
            {**BEARER, "Origin": "http://localhost:3000"},
            INITIALIZE,
            200,
        ),
        ("no token, foreign Host", {"Host": "evil.example.com"}, INITIALIZE, 401),
    ],
)
async def test_every_guard_of_an_exposed_server(
    exposed: ServerProcess, case: str, headers: dict[str, str], body: dict[str, Any], status: int
) -> None:
    response = await post(exposed, body, headers)
    assert response.status_code == status, (case, response.text[:200])
    assert TOKEN not in response.text
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_local_sdk_client_with_the_token_uses_every_tool(exposed: ServerProcess) -> None:
    assert exposed.url.startswith("http://127.0.0.1:")
    async with (
        httpx2.AsyncClient(headers=BEARER, timeout=10) as http,
        Client(streamable_http_client(exposed.url, http_client=http)) as client,
    ):
        page = await client.call_tool("list_orders", {"limit": 1})
        ref = (page.structured_content or {})["orders"][0]["ref"]
        order = await client.call_tool("get_order", {"ref": ref})
        explained = await client.call_tool("explain_failure", {"ref": ref})
    assert not (page.is_error or order.is_error or explained.is_error)
    assert TOKEN not in "".join(exposed.lines)
