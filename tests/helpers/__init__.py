"""What many tests share: the pinned clock, retry policies by purpose, sandbox builders and the
text of a tool result. Tests import it (`from ..helpers import NOW`); conftest.py files hold
only fixtures, built from these, and no test imports a conftest.py or another test module.

Larger scaffolding has a module of its own here: `processes` (real server processes), `tools`
(calling the tools through an MCP client), `providers` (servers whose providers are
configured as real ones, over a steerable sandbox), `loopback` (a provider on real loopback
HTTP), `traffic` (counting what reaches the sandbox), `tokens` (the sandbox's token
endpoints) and `cassettes` (how recordings are scrubbed).
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from functools import cache
from typing import Any

from mcp_types import CallToolResult, TextContent
from starlette.applications import Starlette

from esim_orders.client.transport import RetryPolicy
from esim_orders.sandbox import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    Sandbox,
    SandboxConfig,
    create_app,
)
from esim_orders.settings import Settings

__all__ = [
    "DISPLAY_NAMES",
    "LARGE",
    "NOW",
    "ONE_ATTEMPT",
    "SANDBOX",
    "TOKEN_FORM",
    "TWO_ATTEMPTS",
    "FakeClock",
    "free_port",
    "large_sandbox_app",
    "sandbox_app",
    "state",
    "text_of",
]

#: The sandbox's clock in the tests: its orders are generated relative to it.
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

#: One attempt and short waits: an error path is reached at once, not after real backoffs.
ONE_ATTEMPT = RetryPolicy(max_attempts=1, backoff_base=0.001, backoff_cap=0.01, deadline=5.0)
#: One retry with short waits: a transient failure is retried, a lasting one is an error soon.
TWO_ATTEMPTS = RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_cap=0.01, deadline=5.0)

#: Settings that serve both providers from the embedded sandbox.
SANDBOX = Settings.from_env({"ESIM_ORDERS_PROVIDERS": "sandbox"})
#: The client-credentials form both sandbox token endpoints accept.
TOKEN_FORM = {
    "client_id": SANDBOX_CLIENT_ID,
    "client_secret": SANDBOX_CLIENT_SECRET,
    "grant_type": "client_credentials",
}
#: How answers name each provider.
DISPLAY_NAMES = {"pressone": "PressOne", "zim": "Zim"}


#: Orders a provider in the scale tests' sandbox.
LARGE = 100_000


def sandbox_app(orders: int = 40, **knobs: Any) -> Starlette:
    """A sandbox with its clock at NOW (unless `now` is given); `knobs` are `SandboxConfig`
    fields."""
    knobs.setdefault("now", NOW)
    return create_app(SandboxConfig(orders=orders, **knobs))


@cache
def large_sandbox_app() -> Starlette:
    """One sandbox of 100,000 orders a provider at NOW, built once per test session (it takes
    tens of seconds): the scale tests share it, and must leave its knobs as they found them."""
    return sandbox_app(orders=LARGE)


def state(app: Starlette) -> Sandbox:
    """The sandbox behind an app from `sandbox_app`: its data, config and clock."""
    return app.state.sandbox


def text_of(result: CallToolResult) -> str:
    """The one text block a tool result carries (every answer is exactly one)."""
    assert len(result.content) == 1, result.content
    block = result.content[0]
    assert isinstance(block, TextContent), block
    return block.text


class FakeClock:
    """A monotonic clock the test moves by hand, to expire tokens and entries without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
