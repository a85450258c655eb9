"""Hosted deployments: provider tokens shared through Redis by restarted workers, a finished
order answered from Redis rather than memory, and a tool call behind JWT verification."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
from cryptography.fernet import Fernet
from mcp import Client

from esim_orders.sandbox import in_process_transport
from esim_orders.server import build_server
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

from .harness import Result, ainterleave, at_most, exactly, median, say, timed
from .inprocess import refs_by_status, sandbox_app
from .processes import (
    HttpServerProcess,
    IssuerProcess,
    RedisProcess,
    SandboxProcess,
    esim_orders_command,
    free_port,
)

WORKERS = 4
STARTS = 2
CALLS_PER_START = 40
ROUNDS = 200
WARMUP = 10
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def run() -> list[Result]:
    with RedisProcess() as redis:
        results = _tokens(redis)
        results += _finished_order(redis)
    return results + _jwt()


def _tool_call(i: int, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    params = {"name": name, "arguments": arguments}
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": params}


def _tokens(redis: RedisProcess) -> list[Result]:
    counts: dict[str, dict[str, int]] = {}
    with SandboxProcess(orders=200) as sandbox:
        for mode, extra in {
            "redis": {
                "ESIM_ORDERS_REDIS_URL": redis.url,
                "ESIM_ORDERS_CACHE_KEY": Fernet.generate_key().decode(),
            },
            "memory": {},
        }.items():
            sandbox.reset()
            for _ in range(STARTS):
                args = [*esim_orders_command(), "serve", "--http", "--port", "0"]
                with HttpServerProcess(
                    [*args, "--workers", str(WORKERS)], {**sandbox.provider_env(), **extra}
                ) as served:
                    anyio.run(_spread_calls, served.url)
            counts[mode] = sandbox.stats()["token_requests"]
    say(f"  tokens: {WORKERS} workers x {STARTS} starts: {counts}")
    return [
        Result.of(
            f"token requests to {provider}, {WORKERS} workers x {STARTS} starts, Redis",
            counts["redis"].get(provider, 0),
            1,
            "requests",
            exactly(1),
            f"without Redis: {counts['memory'].get(provider, 0)}; {CALLS_PER_START} concurrent "
            "list_orders per start, each on its own connection",
        )
        for provider in ("pressone", "zim")
    ]


async def _spread_calls(url: str) -> None:
    async def one(i: int) -> None:
        async with httpx2.AsyncClient(timeout=30) as http:
            await http.post(url, json=_tool_call(i, "list_orders", {"limit": 5}), headers=HEADERS)

    async with anyio.create_task_group() as group:
        for i in range(CALLS_PER_START):
            group.start_soon(one, i)


def _finished_order(redis: RedisProcess) -> list[Result]:
    """get_order of finished orders over streamable HTTP, the way a hosted team calls it:
    from the memory of the process that read them, and from another process, which has
    never seen them and finds them in Redis."""
    key = Fernet.generate_key().decode()
    with SandboxProcess(orders=1000) as sandbox:
        refs = sandbox.refs(pressone="completed")[: WARMUP + ROUNDS]
        env = {
            **sandbox.provider_env(),
            "ESIM_ORDERS_REDIS_URL": redis.url,
            "ESIM_ORDERS_CACHE_KEY": key,
        }
        serve = [*esim_orders_command(), "serve", "--http", "--stateless", "--port", "0"]
        with HttpServerProcess(serve, env) as reader, HttpServerProcess(serve, env) as other:
            over_http = anyio.run(_measure_finished, reader.url, other.url, refs, sandbox, redis)
    in_process = anyio.run(_finished_order_in_process, redis)
    over_http.note += (
        f"; in process (no transport, in-process MCP client, one order read again and "
        f"again): {in_process[0]:.2f} ms from Redis against {in_process[1]:.2f} ms, "
        f"ratio {in_process[0] / in_process[1]:.2f}"
    )
    return [over_http]


async def _measure_finished(
    memory_url: str, redis_url: str, refs: list[str], sandbox: SandboxProcess, redis: RedisProcess
) -> Result:
    async with httpx2.AsyncClient(timeout=30) as http:

        def get_order(url: str, ref: str) -> Any:
            body = _tool_call(1, "get_order", {"ref": ref})
            return _ok(http.post(url, json=body, headers=HEADERS))

        for ref in refs:  # now in the first process's memory, and in Redis
            await get_order(memory_url, ref)
        provider_requests, hits = sandbox.api_requests(), redis.keyspace_hits()
        memory_refs, redis_refs = iter(refs), iter(refs)

        async def from_memory() -> float:
            return await timed(lambda: get_order(memory_url, next(memory_refs)))

        async def from_redis() -> float:
            return await timed(lambda: get_order(redis_url, next(redis_refs)))

        calls = {"memory": from_memory, "redis": from_redis}
        await ainterleave(calls, WARMUP)
        say(f"  finished order: {ROUNDS} interleaved get_order calls over HTTP, memory vs Redis")
        samples = await ainterleave(calls, ROUNDS)
    from_provider = sandbox.api_requests() - provider_requests
    answered = redis.keyspace_hits() - hits
    if from_provider or answered != len(refs):
        raise RuntimeError(
            f"not what is measured: {answered} of {len(refs)} answers from Redis, "
            f"{from_provider} provider requests"
        )
    return Result.of(
        "get_order of a finished order from Redis, against from memory",
        median(samples["redis"]) * 1000,
        median(samples["memory"]) * 1000,
        "ms",
        at_most(1.3),
        f"median of {ROUNDS}, interleaved, streamable HTTP (stateless), two server processes on "
        f"one Redis, each call a different PressOne order; sealed (Fernet); {answered} of "
        f"{len(refs)} answers from Redis (its keyspace hits), none from the provider",
    )


async def _finished_order_in_process(redis: RedisProcess) -> tuple[float, float]:
    """The same get_order tool call in process, in ms: from Redis (this process's memory
    emptied before each call), and from memory."""
    app = sandbox_app()
    ref = refs_by_status(app)["zim:FAILED"][0]
    # The embedded sandbox turns Redis off (its tokens are per process), so the services
    # are pointed at it as real providers would be.
    settings = _as_providers(redis, Fernet.generate_key().decode())
    transport = in_process_transport(app)
    memory_server = build_server(
        settings, service_factory=lambda: open_service(settings, transport=transport)
    )
    shared: list[OrderService] = []

    def shared_factory() -> OrderService:
        shared.append(open_service(settings, transport=transport))
        return shared[-1]

    redis_server = build_server(settings, service_factory=shared_factory)
    async with Client(memory_server) as memory, Client(redis_server) as from_redis:
        await memory.call_tool("get_order", {"ref": ref})  # now in memory and in Redis
        cache = shared[-1].finished_orders

        async def in_memory() -> float:
            return await timed(lambda: memory.call_tool("get_order", {"ref": ref}))

        async def in_redis() -> float:
            cache.invalidate()
            return await timed(lambda: from_redis.call_tool("get_order", {"ref": ref}))

        calls = {"memory": in_memory, "redis": in_redis}
        await ainterleave(calls, WARMUP)
        samples = await ainterleave(calls, ROUNDS)
    if cache.shared is None or cache.shared.hits < ROUNDS:
        raise RuntimeError("in process: the calls were not answered from Redis")
    return median(samples["redis"]) * 1000, median(samples["memory"]) * 1000


def _as_providers(redis: RedisProcess, key: str) -> Settings:
    env = {
        "PRESSONE_BASE_URL": "http://sandbox.invalid/pressone",
        "PRESSONE_CLIENT_ID": "sandbox",
        "PRESSONE_CLIENT_SECRET": "sandbox-secret",
        "ZIM_BASE_URL": "http://sandbox.invalid/zim",
        "ZIM_TOKEN_URL": "http://sandbox.invalid/zim/oauth2/token",
        "ZIM_CLIENT_ID": "sandbox",
        "ZIM_CLIENT_SECRET": "sandbox-secret",
        "ESIM_ORDERS_REDIS_URL": redis.url,
        "ESIM_ORDERS_CACHE_KEY": key,
    }
    return Settings.from_env(env)


def _jwt() -> list[Result]:
    with SandboxProcess(orders=200) as sandbox, IssuerProcess() as issuer:
        ref = sandbox.refs(zim="FAILED")[0]
        port = free_port()
        public = f"http://127.0.0.1:{port}/mcp"
        oauth_env = {
            **sandbox.provider_env(),
            "ESIM_ORDERS_AUTH_ISSUER": issuer.url,
            "ESIM_ORDERS_PUBLIC_URL": public,
        }
        serve = [*esim_orders_command(), "serve", "--http", "--stateless"]
        with (
            HttpServerProcess([*serve, "--port", "0"], sandbox.provider_env()) as plain,
            HttpServerProcess([*serve, "--port", str(port)], oauth_env) as guarded,
        ):
            token = issuer.token(public)
            return anyio.run(_measure_jwt, plain.url, guarded.url, token, ref)


async def _measure_jwt(plain_url: str, guarded_url: str, token: str, ref: str) -> list[Result]:
    body = _tool_call(1, "get_order", {"ref": ref})
    bearer = {**HEADERS, "Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(timeout=30) as http:

        async def plain() -> float:
            return await timed(lambda: _ok(http.post(plain_url, json=body, headers=HEADERS)))

        async def guarded() -> float:
            return await timed(lambda: _ok(http.post(guarded_url, json=body, headers=bearer)))

        calls = {"plain": plain, "jwt": guarded}
        await ainterleave(calls, WARMUP)
        say(f"  JWT: {ROUNDS} interleaved get_order calls over HTTP, with and without OAuth")
        samples = await ainterleave(calls, ROUNDS)
    return [
        Result.of(
            "get_order over HTTP with JWT verification, against without auth",
            median(samples["jwt"]) * 1000,
            median(samples["plain"]) * 1000,
            "ms",
            at_most(1.05),
            f"median of {ROUNDS}, interleaved; RS256 token from oidc-provider; finished order "
            "answered from the server's memory, so the call is mostly transport and auth",
        )
    ]


async def _ok(request: Any) -> None:
    response = await request
    if response.status_code != 200 or '"isError":true' in response.text:
        raise RuntimeError(f"tool call failed: {response.status_code} {response.text[:200]}")
