"""The MCP server in this process on an in-memory sandbox, for counting and sizing.

Counting provider requests needs no network: the sandbox's own counters (`stats`) see every
request the server's client makes, through the same client code as over HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from mcp import Client
from starlette.applications import Starlette

from esim_orders.sandbox import SandboxConfig, create_app
from esim_orders.server import build_server
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

from .processes import SANDBOX_NOW

SETTINGS = Settings.from_env({"ESIM_ORDERS_PROVIDERS": "sandbox"})


def sandbox_app(orders: int = 500) -> Starlette:
    return create_app(SandboxConfig(orders=orders, now=datetime.fromisoformat(SANDBOX_NOW)))


@asynccontextmanager
async def connected(app: Starlette, mode: str = "legacy") -> AsyncIterator[Client]:
    """An SDK client on a fresh server (fresh service: cold token and cache) over `app`."""
    server = build_server(SETTINGS, service_factory=lambda: open_service(SETTINGS, sandbox_app=app))
    async with Client(server, mode=mode) as client:
        yield client


def refs_by_status(app: Starlette) -> dict[str, list[str]]:
    """Sandbox refs by wire status, e.g. {"pressone:completed": [...], "zim:FAILED": [...]}."""
    data = app.state.sandbox.data
    found: dict[str, list[str]] = {}
    for order in data.pressone.orders:
        found.setdefault(f"pressone:{order.status}", []).append(f"pressone:{order.id}")
    for order in data.zim.orders:
        found.setdefault(f"zim:{order.status}", []).append(f"zim:{order.id}")
    return found
