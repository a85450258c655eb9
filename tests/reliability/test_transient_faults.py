"""Transient provider faults: 500 mixed tool calls give the answers a fault-free run gives."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from mcp import Client
from starlette.applications import Starlette

from esim_orders.client.transport import RetryPolicy
from esim_orders.service.orders import OrderService
from esim_orders.tools import cursor as cursors

from ..helpers import NOW, sandbox_app, state, text_of
from ..helpers.providers import every_call_reaches_the_providers, make_server, provider_settings

SEED = 2026
CALLS = 500
FAULT_RATE = 0.3
TRANSIENT = ("429", "429-no-retry-after", "502", "503", "drop", "stall")
# Every attempt fails with probability 0.3, independently (the sandbox draws from a seeded
# RNG). A logical request exhausts 12 attempts with probability 0.3**12 ≈ 5.3e-7; the run
# makes fewer than 1,000 logical requests (tokens, pages, single orders: asserted below), so
# the chance that any one of them gives up is below 1,000 × 5.3e-7 ≈ 5e-4. The seed fixes the
# draws, so the run is the same each time; the bound says why another seed would pass too.
POLICY = RetryPolicy(
    max_attempts=12,
    backoff_base=0.001,
    backoff_cap=0.004,
    retry_after_cap=0.05,
    deadline=5.0,
    connect_timeout=1.0,
    read_timeout=0.05,  # a "stall" sleeps 0.3 s: past this, so the client cuts and retries
)
ORDERS = 20  # per provider; listings parse every order, so fewer keep the run quick
CODES = ("4008", "34", "73", "429", "503", "PLAN_NOT_FOUND", "SOMETHING_NEW")


@dataclass(frozen=True)
class Step:
    tool: str
    arguments: dict[str, Any]
    continues: bool = False  # a list_orders call with the previous listing's next_cursor


def plan(app: Starlette, seed: int = SEED, calls: int = CALLS) -> list[Step]:
    """A fixed mix of every tool: listings with filters and paging, known and unknown refs."""
    rng = random.Random(seed)
    data = state(app).data
    refs = [f"pressone:{o.id}" for o in data.pressone.orders] + [
        f"zim:{o.id}" for o in data.zim.orders
    ]
    steps: list[Step] = []
    while len(steps) < calls:
        roll = rng.random()
        if roll < 0.4:
            arguments: dict[str, Any] = {"limit": rng.choice([1, 5, 20, 50])}
            if rng.random() < 0.4:
                arguments["provider"] = rng.choice(["pressone", "zim"])
            if rng.random() < 0.3:
                arguments["status"] = rng.sample(["FAILED", "COMPLETED", "PROCESSING"], 2)
            if rng.random() < 0.2:
                arguments["created_after"] = rng.choice(["2026-06-01", "2026-11-01"])
            steps.append(Step("list_orders", arguments))
            if rng.random() < 0.5:
                steps.append(Step("list_orders", arguments, continues=True))
        elif roll < 0.7:
            ref = rng.choice(refs) if rng.random() < 0.9 else "pressone:99999999"
            steps.append(Step("get_order", {"ref": ref}))
        elif roll < 0.9:
            steps.append(Step("explain_failure", {"ref": rng.choice(refs)}))
        else:
            code = rng.choice(CODES)
            provider = rng.choice(["pressone", "zim"])
            steps.append(Step("explain_failure", {"provider": provider, "code": code}))
    return steps[:calls]


def uncached_at_now(service: OrderService) -> None:
    """No answer caches, and explain_failure measures ages at NOW in both runs."""
    every_call_reaches_the_providers(service)
    service.now = lambda: NOW


async def run(app: Starlette, steps: list[Step]) -> tuple[list[tuple[Any, ...]], list[float]]:
    """Every step through the MCP client: (is_error, text, structured) and each duration."""
    # Every call goes to the providers: the faults, not the service's caches, are under test.
    made = make_server(provider_settings(), policy=POLICY, app=app, patch=uncached_at_now)
    answers: list[tuple[Any, ...]] = []
    durations: list[float] = []
    cursor: str | None = None
    async with Client(made.server) as client:
        for step in steps:
            arguments = dict(step.arguments)
            if step.continues:
                if cursor is None:
                    answers.append(("no cursor",))
                    durations.append(0.0)
                    continue
                arguments["cursor"] = cursor
            started = time.monotonic()
            result = await client.call_tool(step.tool, arguments)
            durations.append(time.monotonic() - started)
            if step.tool == "list_orders" and not result.is_error:
                cursor = (result.structured_content or {}).get("next_cursor")
            answers.append((result.is_error, text_of(result), result.structured_content))
    return answers, durations


async def test_500_calls_under_30_percent_transient_faults_match_a_fault_free_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Cursors carry their issue second; pin it so both runs print the same cursors.
    monkeypatch.setattr(cursors, "time", SimpleNamespace(time=lambda: NOW.timestamp()))
    clean = sandbox_app(orders=ORDERS)
    faulty = sandbox_app(
        orders=ORDERS, fault_rate=FAULT_RATE, faults=TRANSIENT, retry_after_s=0.01, stall_s=0.3
    )
    steps = plan(clean)
    assert {s.tool for s in steps} == {"list_orders", "get_order", "explain_failure"}

    expected, _ = await run(clean, steps)
    answers, durations = await run(faulty, steps)

    stats = state(faulty).stats
    requests = sum(stats.api_requests.values()) + sum(stats.token_requests.values())
    faults = sum(stats.faults.values())
    assert set(stats.faults) == set(TRANSIENT), stats.faults
    assert 0.25 < faults / requests < 0.35, (faults, requests)
    clean_stats = state(clean).stats
    assert clean_stats.faults.total() == 0
    logical = clean_stats.api_requests.total() + clean_stats.token_requests.total()
    assert 500 < logical < 1000, logical

    mismatches = [
        (i, steps[i], want, got)
        for i, (want, got) in enumerate(zip(expected, answers, strict=True))
        if want != got
    ]
    assert not mismatches, mismatches[:3]
    assert max(durations) < POLICY.deadline, max(durations)
    # The fault-free run answered the usual mix: mostly successes, unknown refs as errors.
    errors = [a for a in expected if a[0] is True]
    assert 0 < len(errors) < CALLS * 0.1
    assert all(a[1].startswith("No order ") for a in errors)
