"""Streamable HTTP throughput: 50 concurrent callers of get_order (no provider latency) against
the same load on a bare MCPServer echo tool, each server in its own process.

The load generator speaks JSON-RPC over HTTP itself (httpx2), with a session per caller as the
SDK's handshake-era clients do, so both servers see identical traffic and the client side stays
as light as it can be. Orders asked for are not finished, so each call reaches the provider
(the sandbox, in a third process over loopback): the cache does not flatter the number.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from itertools import count
from typing import Any

import anyio
import httpx2

from .bench_latency import unfinished_refs
from .harness import ROOT, Result, at_least, median, say
from .processes import HttpServerProcess, SandboxProcess, esim_orders_command

CALLERS = 50
SECONDS = 2.0
ROUNDS = 5
PROTOCOL = "2025-11-25"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def run() -> list[Result]:
    with SandboxProcess(orders=500, latency_ms=0) as sandbox:
        refs = unfinished_refs(sandbox)
        ours_cmd = [*esim_orders_command(), "serve", "--http", "--port", "0"]
        bare_cmd = [sys.executable, str(ROOT / "benchmarks" / "echo_server.py"), "--http"]
        with (
            HttpServerProcess(ours_cmd, sandbox.provider_env()) as ours,
            HttpServerProcess(bare_cmd) as bare,
        ):
            return anyio.run(_measure, ours.url, bare.url, refs)


async def _measure(ours_url: str, bare_url: str, refs: list[str]) -> list[Result]:
    def ours_call(i: int) -> dict[str, Any]:
        return {"name": "get_order", "arguments": {"ref": refs[i % len(refs)]}}

    def bare_call(i: int) -> dict[str, Any]:
        return {"name": "echo", "arguments": {"text": f"hello {i}"}}

    # Idle connections are dropped well before the servers' 5 s keep-alive timeout: reusing
    # one as the server closes it fails the call (ReadError), and between rounds a target's
    # connections idle for about 4 s, longer on a busy machine.
    limits = httpx2.Limits(
        max_connections=CALLERS * 2, max_keepalive_connections=CALLERS * 2, keepalive_expiry=2.0
    )
    async with httpx2.AsyncClient(limits=limits, timeout=30) as http:
        targets = {
            "ours": (ours_url, ours_call, await _sessions(http, ours_url)),
            "bare": (bare_url, bare_call, await _sessions(http, bare_url)),
        }
        for url, call, sessions in targets.values():
            await _load(http, url, call, sessions, 1.0)  # warm-up
        say(f"  throughput: {CALLERS} callers, {ROUNDS} interleaved rounds of {SECONDS:g} s")
        samples: dict[str, list[float]] = {name: [] for name in targets}
        for i in range(ROUNDS):
            order = list(targets) if i % 2 == 0 else list(reversed(targets))
            for name in order:
                url, call, sessions = targets[name]
                samples[name].append(await _load(http, url, call, sessions, SECONDS))
    return [
        Result.of(
            f"streamable HTTP throughput, {CALLERS} concurrent get_order callers",
            median(samples["ours"]),
            median(samples["bare"]),
            "calls/s",
            at_least(0.6),
            f"median of {ROUNDS} x {SECONDS:g} s, interleaved; baseline a bare MCPServer echo "
            "tool on the same transport (stateful, event-stream answers); get_order of "
            "unfinished orders, each a provider request to the sandbox in another process",
        )
    ]


async def _sessions(http: httpx2.AsyncClient, url: str) -> list[dict[str, str]]:
    """One initialized session per caller."""
    sessions = []
    for _ in range(CALLERS):
        hello = {
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": {
                "protocolVersion": PROTOCOL,
                "capabilities": {},
                "clientInfo": {"name": "bench", "version": "1"},
            },
        }
        answer = await http.post(url, json=hello, headers=HEADERS)
        answer.raise_for_status()
        session = {"mcp-session-id": answer.headers["mcp-session-id"]}
        session["mcp-protocol-version"] = PROTOCOL
        done = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        (await http.post(url, json=done, headers={**HEADERS, **session})).raise_for_status()
        sessions.append(session)
    return sessions


async def _load(
    http: httpx2.AsyncClient,
    url: str,
    call: Callable[[int], dict[str, Any]],
    sessions: list[dict[str, str]],
    seconds: float,
) -> float:
    """Calls per second the server completed while every caller kept one call in flight."""
    numbers = count(1)
    done = 0
    deadline = time.perf_counter() + seconds

    async def caller(session: dict[str, str]) -> None:
        nonlocal done
        headers = {**HEADERS, **session}
        while time.perf_counter() < deadline:
            i = next(numbers)
            body = {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": call(i)}
            answer = await http.post(url, json=body, headers=headers)
            message = _message(answer)
            if "result" not in message or message["result"].get("isError"):
                raise RuntimeError(f"call failed: {answer.text[:300]}")
            if time.perf_counter() <= deadline:
                done += 1

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for session in sessions:
            group.start_soon(caller, session)
    return done / min(seconds, time.perf_counter() - started)


def _message(answer: httpx2.Response) -> dict[str, Any]:
    answer.raise_for_status()
    if answer.headers.get("content-type", "").startswith("text/event-stream"):
        for line in answer.text.splitlines():
            if line.startswith("data:") and line[5:].strip():
                return json.loads(line[5:])
        raise RuntimeError("event stream without a message")
    return answer.json()


if __name__ == "__main__":
    for r in run():
        print(r)
