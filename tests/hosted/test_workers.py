"""`serve --http --workers 4` with ESIM_ORDERS_REDIS_URL, restarted twice under 100 concurrent
calls: one token request per provider for the whole run, counted at the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import httpx2
import pytest
from cryptography.fernet import Fernet
from starlette.applications import Starlette

from ..helpers import sandbox_app, state
from ..helpers.loopback import Loopback, serve_loopback
from ..helpers.processes import ServerProcess, start_server
from ..helpers.providers import Credentials, provider_env
from ..helpers.redis_server import RedisServer

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
CALLS = 100


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[Starlette, Loopback]]:
    app = sandbox_app(orders=20)
    with serve_loopback(app) as loopback:
        yield app, loopback


def serve_workers(env: dict[str, str]) -> ServerProcess:
    served = start_server(["--http", "--port", "0", "--workers", "4"], env)
    if not (served.ready.wait(60) and served.url):
        served.stop()
        pytest.fail(f"the workers did not start:\n{served.stderr}")
    return served


async def hundred_calls(url: str, refs: list[str]) -> list[dict[str, Any]]:
    """100 tool calls at once, on as many connections (the kernel spreads them over the
    workers)."""
    answers: list[dict[str, Any]] = []
    limits = httpx2.Limits(max_connections=CALLS, max_keepalive_connections=CALLS)

    async def one(i: int) -> None:
        name, arguments = (
            ("list_orders", {"limit": 3}) if i % 2 else ("get_order", {"ref": refs[i % len(refs)]})
        )
        body = {
            "jsonrpc": "2.0",
            "id": i,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments},
        }
        response = await http.post(url, json=body, headers=HEADERS)
        answers.append(response.json())

    async with (
        httpx2.AsyncClient(timeout=30, limits=limits) as http,
        anyio.create_task_group() as group,
    ):
        for i in range(CALLS):
            group.start_soon(one, i)
    return answers


async def test_four_workers_restarted_twice_ask_each_provider_once(
    provider: tuple[Starlette, Loopback], redis_server: RedisServer
) -> None:
    app, loopback = provider
    data = state(app).data
    refs = [f"pressone:{data.pressone.orders[0].id}", f"zim:{data.zim.orders[0].id}"]
    env = {
        **provider_env(loopback.origin, Credentials()),
        "ESIM_ORDERS_REDIS_URL": redis_server.url,
        "ESIM_ORDERS_CACHE_KEY": Fernet.generate_key().decode(),
    }
    state(app).reset_stats()
    for _run in range(3):
        served = serve_workers(env)
        try:
            answers = await hundred_calls(served.url, refs)
        finally:
            assert served.stop(20) == 0
        errors = [a for a in answers if "error" in a or a["result"].get("isError")]
        assert len(answers) == CALLS and not errors, errors[:3]
    assert state(app).stats.token_requests == {"pressone": 1, "zim": 1}
    assert "Traceback" not in served.stderr
