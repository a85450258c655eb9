"""Provider requests: tokens over 1,000 mixed tool calls, and repeated get_order of finished
orders, counted by the sandbox."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import anyio
from mcp import Client

from .harness import Result, at_most, exactly, say
from .inprocess import connected, refs_by_status, sandbox_app

CALLS = 1_000
CALLERS = 10
REPEATS = 25


def run() -> list[Result]:
    return anyio.run(_tokens) + anyio.run(_finished_orders)


def _mixed_calls(app: Any, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """list_orders with filters and cursors, get_order of every kind, explain_failure."""
    refs = refs_by_status(app)
    everything = [ref for group in refs.values() for ref in group]
    failed = refs["pressone:failed"] + refs["zim:FAILED"]
    statuses = ["COMPLETED", "FAILED", "PENDING", "PROCESSING", "REFUNDED", "CANCELLED"]
    calls: list[tuple[str, dict[str, Any]]] = []
    for _ in range(CALLS):
        kind = rng.random()
        if kind < 0.35:
            arguments: dict[str, Any] = {"limit": rng.choice([5, 20, 50])}
            if rng.random() < 0.5:
                arguments["status"] = [rng.choice(statuses)]
            if rng.random() < 0.3:
                arguments["provider"] = rng.choice(["pressone", "zim"])
            calls.append(("list_orders", arguments))
        elif kind < 0.8:
            calls.append(("get_order", {"ref": rng.choice(everything)}))
        elif kind < 0.9:
            calls.append(("explain_failure", {"ref": rng.choice(failed)}))
        else:
            code = rng.choice(["PLAN_NOT_FOUND", "PAYMENT_FAILED", "1001"])
            calls.append(
                ("explain_failure", {"provider": rng.choice(["zim", "pressone"]), "code": code})
            )
    return calls


async def _tokens() -> list[Result]:
    app = sandbox_app()
    calls = _mixed_calls(app, random.Random(7))
    kinds = Counter(name for name, _ in calls)
    errors = 0
    async with connected(app) as client:
        queue = list(reversed(calls))

        async def caller() -> None:
            nonlocal errors
            cursor_of: dict[str, str] = {}
            while queue:
                name, arguments = queue.pop()
                key = repr(sorted((k, v) for k, v in arguments.items() if k != "limit"))
                if name == "list_orders" and key in cursor_of:
                    arguments = {**arguments, "cursor": cursor_of.pop(key)}
                result = await client.call_tool(name, arguments)
                errors += bool(result.is_error)
                cursor = (result.structured_content or {}).get("next_cursor")
                if name == "list_orders" and cursor and "cursor" not in arguments:
                    cursor_of[key] = cursor

        say(f"  tokens: {CALLS} mixed tool calls from {CALLERS} concurrent callers")
        async with anyio.create_task_group() as group:
            for _ in range(CALLERS):
                group.start_soon(caller)
    stats = app.state.sandbox.stats
    mix = ", ".join(f"{n} {name}" for name, n in sorted(kinds.items()))
    return [
        Result.of(
            f"token requests to {provider} over {CALLS} mixed tool calls",
            stats.token_requests[provider],
            1,
            "requests",
            exactly(1),
            f"{mix}; {CALLERS} concurrent callers on one cold server; {errors} tool errors",
        )
        for provider in ("pressone", "zim")
    ]


async def _finished_orders() -> list[Result]:
    app = sandbox_app()
    refs = refs_by_status(app)
    finished = {
        "completed": refs["pressone:completed"][0],
        "failed": refs["zim:FAILED"][0],
        "cancelled": refs["zim:CANCELLED"][0],
        "refunded": refs["pressone:refunded"][0],
    }
    unfinished = refs["zim:PROCESSING"][0]
    stats = app.state.sandbox.stats
    calls: dict[str, int] = {}
    async with connected(app) as client:
        await _get(client, refs["zim:FULFILLED"][1])  # Zim's single-order route, learnt once
        say(f"  cache: get_order {REPEATS} times each for {len(finished)} finished orders")
        # One order at a time: the sandbox counts requests by route, not by order.
        for kind, ref in [*finished.items(), ("processing", unfinished)]:
            stats.api_requests.clear()
            for _ in range(REPEATS):
                await _get(client, ref)
            calls[kind] = sum(stats.api_requests.values())
    worst = max(n for kind, n in calls.items() if kind != "processing")
    detail = ", ".join(f"{kind} {n}" for kind, n in calls.items() if kind != "processing")
    return [
        Result.of(
            f"upstream calls per finished order, {REPEATS} get_order calls within the TTL",
            worst,
            1,
            "calls",
            at_most(1),
            f"worst of: {detail}; an order still PROCESSING made {calls['processing']} calls "
            f"for {REPEATS} (never cached)",
        )
    ]


async def _get(client: Client, ref: str) -> None:
    result = await client.call_tool("get_order", {"ref": ref})
    if result.is_error:
        raise RuntimeError(f"get_order {ref}: {result.content}")


if __name__ == "__main__":
    for r in run():
        print(r)
