"""get_order through the MCP server (stdio, streamable HTTP) against the client called directly."""

from __future__ import annotations

import os
from itertools import cycle

import anyio
from mcp import Client, StdioServerParameters, stdio_client

from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

from .harness import Result, ainterleave, at_most, median, say, timed
from .processes import HttpServerProcess, SandboxProcess, bench_env, esim_orders_command

LATENCY_MS = 50
ROUNDS = 60
WARMUP = 5


def unfinished_refs(sandbox: SandboxProcess) -> list[str]:
    """Orders whose status can still change: no cache may answer for them, so every call
    does the same upstream work on both sides."""
    pressone = sandbox.refs(pressone="on_hold")[:4]
    zim = sandbox.refs(zim="PROCESSING")[:4]
    return [ref for pair in zip(pressone, zim, strict=False) for ref in pair]


def run() -> list[Result]:
    with SandboxProcess(orders=500, latency_ms=LATENCY_MS) as sandbox:
        env = sandbox.provider_env()
        refs = unfinished_refs(sandbox)
        with HttpServerProcess(
            [*esim_orders_command(), "serve", "--http", "--port", "0"], env
        ) as http:
            return anyio.run(_measure, sandbox, env, refs, http.url)


async def _measure(
    sandbox: SandboxProcess, env: dict[str, str], refs: list[str], http_url: str
) -> list[Result]:
    settings = Settings.from_env(env)
    params = StdioServerParameters(
        command=esim_orders_command()[0],
        args=[*esim_orders_command()[1:], "serve"],
        env=bench_env(env),
    )
    with open(os.devnull, "w") as devnull:
        async with (
            open_service(settings) as service,
            Client(stdio_client(params, errlog=devnull)) as stdio,
            Client(http_url) as http,
        ):
            direct_refs, stdio_refs, http_refs = cycle(refs), cycle(refs), cycle(refs)

            async def direct() -> float:
                return await timed(lambda: service.get_order(next(direct_refs)))

            async def over_stdio() -> float:
                return await timed(lambda: _call(stdio, next(stdio_refs)))

            async def over_http() -> float:
                return await timed(lambda: _call(http, next(http_refs)))

            calls = {"direct": direct, "stdio": over_stdio, "http": over_http}
            await ainterleave(calls, WARMUP)
            say(f"  get_order: {ROUNDS} interleaved rounds at {LATENCY_MS} ms provider latency")
            samples = await ainterleave(calls, ROUNDS)
    base = median(samples["direct"]) * 1000
    note = f"median of {ROUNDS}, interleaved; orders not finished, so no cache answers"
    return [
        Result.of(
            f"get_order over stdio, provider {LATENCY_MS} ms",
            median(samples["stdio"]) * 1000,
            base,
            "ms",
            at_most(1.10),
            note,
        ),
        Result.of(
            f"get_order over streamable HTTP, provider {LATENCY_MS} ms",
            median(samples["http"]) * 1000,
            base,
            "ms",
            at_most(1.15),
            note,
        ),
    ]


async def _call(client: Client, ref: str) -> None:
    result = await client.call_tool("get_order", {"ref": ref})
    if result.is_error:
        raise RuntimeError(f"get_order {ref} failed: {result.content}")


if __name__ == "__main__":
    for r in run():
        print(r)
