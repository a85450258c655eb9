"""The real server process: stdio, streamable HTTP, its guards, and how it stops."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from ..helpers.processes import INITIALIZE, ServerProcess, server_env, start_server

Spawn = Callable[..., ServerProcess]
TOKEN = "test-token-0123456789abcdef"
ALLOWED = "orders.example.test"
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def loopback(spawn: Spawn) -> ServerProcess:
    """Bound to 127.0.0.1, no token: what `esim-orders serve --http` runs by default."""
    return spawn()


@pytest.fixture(scope="module")
def exposed(spawn: Spawn) -> ServerProcess:
    """Bound to every interface, so a token is required; one extra host name allowed."""
    return spawn(
        "--host",
        "0.0.0.0",
        env={"ESIM_ORDERS_HTTP_TOKEN": TOKEN, "ESIM_ORDERS_ALLOWED_HOSTS": ALLOWED},
    )


def port_of(server: ServerProcess) -> int:
    return int(server.url.rsplit(":", 1)[1].split("/")[0])


def messages(response: httpx2.Response) -> list[dict[str, Any]]:
    """JSON-RPC messages of a response, plain JSON or an event stream."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        return [
            json.loads(line[5:])
            for line in response.text.splitlines()
            if line.startswith("data:") and line[5:].strip()
        ]
    return [response.json()]


async def post(
    url: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx2.Response:
    async with httpx2.AsyncClient(timeout=10) as http:
        return await http.post(url, json=body, headers={**ACCEPT, **(headers or {})})


# ---- the protocol over HTTP ----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_sdk_client_calls_both_tools_over_streamable_http(
    loopback: ServerProcess, mode: str
) -> None:
    async with Client(loopback.url, mode=mode) as client:
        tools = await client.list_tools()
        page = await client.call_tool("list_orders", {"limit": 3, "status": ["COMPLETED"]})
        ref = (page.structured_content or {})["orders"][0]["ref"]
        order = await client.call_tool("get_order", {"ref": ref})
        missing = await client.call_tool("get_order", {"ref": "pressone:99999999"})
    assert [tool.name for tool in tools.tools] == [
        "list_orders",
        "get_order",
        "explain_failure",
        "get_esim",
    ]
    assert not page.is_error
    assert (order.structured_content or {})["ref"] == ref
    assert missing.is_error


@pytest.mark.parametrize("version", ["2025-03-26", "2025-06-18", "2025-11-25"])
async def test_clients_on_older_protocol_revisions_initialize_and_call(
    loopback: ServerProcess, version: str
) -> None:
    hello = {**INITIALIZE, "params": {**INITIALIZE["params"], "protocolVersion": version}}
    response = await post(loopback.url, hello)
    assert response.status_code == 200
    [answer] = messages(response)
    assert answer["result"]["protocolVersion"] == version
    assert answer["result"]["serverInfo"]["name"] == "esim-orders"
    session = {
        "mcp-session-id": response.headers["mcp-session-id"],
        "mcp-protocol-version": version,
    }
    done = await post(
        loopback.url, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session
    )
    assert done.status_code == 202
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "list_orders", "arguments": {"limit": 2}},
    }
    [result] = messages(await post(loopback.url, call, session))
    assert result["result"]["content"][0]["text"].startswith("2 of ")
    assert result["result"].get("isError") is not True


# ---- Host and Origin checks ----------------------------------------------------------------


async def test_a_foreign_host_is_rejected(loopback: ServerProcess) -> None:
    response = await post(loopback.url, INITIALIZE, {"Host": "evil.example.com"})
    assert response.status_code == 421


async def test_a_foreign_origin_is_rejected(loopback: ServerProcess) -> None:
    response = await post(loopback.url, INITIALIZE, {"Origin": "http://evil.example.com"})
    assert response.status_code == 403


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_loopback_host_names_are_accepted(loopback: ServerProcess, host: str) -> None:
    response = await post(loopback.url, INITIALIZE, {"Host": f"{host}:{port_of(loopback)}"})
    assert response.status_code == 200


async def test_a_body_over_the_cap_is_refused(loopback: ServerProcess) -> None:
    padding = {"params": {**INITIALIZE["params"], "pad": "x" * 1_100_000}}
    response = await post(loopback.url, {**INITIALIZE, **padding})
    assert response.status_code == 413


# ---- the bearer token ----------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN])
async def test_without_the_right_token_the_answer_is_401(
    exposed: ServerProcess, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await post(exposed.url, INITIALIZE, headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in response.text


async def test_with_the_token_the_sdk_client_works_when_bound_to_every_interface(
    exposed: ServerProcess,
) -> None:
    assert exposed.url.startswith("http://127.0.0.1:")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=10) as http,
        Client(streamable_http_client(exposed.url, http_client=http)) as client,
    ):
        page = await client.call_tool("list_orders", {"limit": 1})
    assert not page.is_error


@pytest.mark.parametrize(
    ("host", "status"),
    [("localhost", 200), ("127.0.0.1", 200), (ALLOWED, 200), ("evil.example.com", 421)],
)
async def test_host_checks_stay_on_behind_the_token(
    exposed: ServerProcess, host: str, status: int
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Host": f"{host}:{port_of(exposed)}"}
    response = await post(exposed.url, INITIALIZE, headers)
    assert response.status_code == status


def test_binding_beyond_loopback_without_a_token_is_refused() -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "esim_orders", "serve", "--http", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        env=server_env(),
        timeout=30,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "refusing to serve on 0.0.0.0 without a token" in lines[0]
    assert "ESIM_ORDERS_HTTP_TOKEN" in lines[0]
    assert done.stdout == ""
    assert time.monotonic() - started < 20


# ---- stdio, and stopping cleanly -----------------------------------------------------------


async def test_stdio_serves_the_sdk_client_and_ends_when_stdin_closes(tmp_path: Path) -> None:
    errlog = tmp_path / "stderr.txt"
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "esim_orders", "serve"], env=server_env()
    )
    with errlog.open("w") as err:
        async with Client(stdio_client(params, errlog=err)) as client:
            page = await client.call_tool("list_orders", {"limit": 2})
            ref = (page.structured_content or {})["orders"][0]["ref"]
            order = await client.call_tool("get_order", {"ref": ref})
    assert (order.structured_content or {})["ref"] == ref
    logged = errlog.read_text()
    assert "order service closed" in logged
    assert "Traceback" not in logged


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_stdio_at_once_with_the_service_closed(signum: int) -> None:
    """Even while stdin stays open and silent, which the SDK's own reader would wait out."""
    process = subprocess.Popen(
        [sys.executable, "-m", "esim_orders", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=server_env(),
    )
    assert process.stdin and process.stdout and process.stderr
    try:
        process.stdin.write(json.dumps(INITIALIZE).encode() + b"\n")
        process.stdin.flush()
        answer = json.loads(process.stdout.readline())
        assert answer["result"]["serverInfo"]["name"] == "esim-orders"
        started = time.monotonic()
        process.send_signal(signum)
        assert process.wait(10) == 0
        assert time.monotonic() - started < 5
        stderr = process.stderr.read().decode()
        assert "order service closed" in stderr
        assert "Traceback" not in stderr
        assert process.stdout.read() == b""
    finally:
        process.kill()
        process.stdin.close()


def test_sigterm_stops_http_cleanly_with_the_service_closed() -> None:
    running = start_server(["--http", "--port", "0"])
    try:
        assert running.ready.wait(20) and running.url, running.stderr
        assert running.stop() == 0
    finally:
        running.process.kill()
    time.sleep(0.1)  # let the reader thread take the last lines
    assert "order service closed" in running.stderr
    assert "Traceback" not in running.stderr
