"""Shared pieces of the reliability suite: servers over a steerable sandbox, in process or on
loopback HTTP, and the settings that point the real provider clients at it."""

from __future__ import annotations

import copy
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpcore2
import httpx2
import jsonschema  # noqa: F401 - the MCP client loads it (~1 s) on its first tool result
import uvicorn
from mcp_types import CallToolResult, TextContent
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from esim_orders.client.transport import RetryPolicy
from esim_orders.sandbox import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    Sandbox,
    SandboxConfig,
    create_app,
    in_process_transport,
)
from esim_orders.sandbox.config import SANDBOX_APP_IDENTIFIER
from esim_orders.sandbox.pressone import INCLUDES
from esim_orders.sandbox.pressone import render_order as pressone_order
from esim_orders.sandbox.zim import render_order as zim_order
from esim_orders.server import OrdersServer, build_server
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import SANDBOX_ORIGIN, open_service
from esim_orders.settings import PressOneSettings, Settings, ZimSettings

from ..server.conftest import ServerProcess, start_server

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def sandbox_app(**knobs: Any) -> Starlette:
    """A sandbox with its clock pinned; `knobs` are `SandboxConfig` fields."""
    knobs.setdefault("orders", 40)
    return create_app(SandboxConfig(now=NOW, **knobs))


def state(app: Starlette) -> Sandbox:
    return app.state.sandbox


@dataclass(frozen=True)
class Credentials:
    client_id: str = SANDBOX_CLIENT_ID
    client_secret: str = SANDBOX_CLIENT_SECRET
    app_identifier: str = SANDBOX_APP_IDENTIFIER


def provider_settings(
    origin: str = SANDBOX_ORIGIN,
    credentials: Credentials = Credentials(),
    *,
    personal_data: bool = False,
    log_level: str = "WARNING",
) -> Settings:
    """Both providers configured as real ones (no sandbox shortcut), served at `origin`."""
    return Settings(
        pressone=PressOneSettings(
            origin + "/pressone", credentials.client_id, credentials.client_secret
        ),
        zim=ZimSettings(
            base_url=origin + "/zim",
            token_url=origin + "/zim/oauth2/token",
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            app_identifier=credentials.app_identifier,
        ),
        personal_data=personal_data,
        log_level=log_level,
    )


def provider_env(origin: str, credentials: Credentials) -> dict[str, str]:
    """The same, as the environment variables a server process reads."""
    return {
        "PRESSONE_BASE_URL": origin + "/pressone",
        "PRESSONE_CLIENT_ID": credentials.client_id,
        "PRESSONE_CLIENT_SECRET": credentials.client_secret,
        "ZIM_BASE_URL": origin + "/zim",
        "ZIM_TOKEN_URL": origin + "/zim/oauth2/token",
        "ZIM_CLIENT_ID": credentials.client_id,
        "ZIM_CLIENT_SECRET": credentials.client_secret,
        "ZIM_APP_IDENTIFIER": credentials.app_identifier,
        "ESIM_ORDERS_PROVIDERS": "pressone,zim",
    }


@dataclass
class Made:
    """A server under test and the services it opened (to reach their connection pools)."""

    server: OrdersServer
    services: list[OrderService] = field(default_factory=list)

    @property
    def service(self) -> OrderService:
        return self.services[-1]


def make_server(
    settings: Settings,
    *,
    policy: RetryPolicy,
    app: ASGIApp | None = None,
    transport: httpx2.AsyncBaseTransport | None = None,
    patch: Callable[[OrderService], None] | None = None,
) -> Made:
    """A server whose providers are `app` in process (default) or `transport` (loopback)."""
    if transport is None and app is not None:
        transport = in_process_transport(app)
    made: Made

    def factory() -> OrderService:
        service = open_service(settings, transport=transport, policy=policy)
        if patch is not None:
            patch(service)
        made.services.append(service)
        return service

    made = Made(build_server(settings, service_factory=factory))
    return made


def every_call_reaches_the_providers(service: OrderService) -> None:
    """Turn off the service's answer caches (a TTL of 0), for tests about what happens on
    the wire: token refreshes and retries must be exercised by every call, not the first."""
    for value in vars(service).values():
        if hasattr(value, "ttl") and hasattr(value, "get_or_load"):
            value.ttl = 0


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


# ---- a provider on real loopback HTTP ------------------------------------------------------


@dataclass
class Loopback:
    """An ASGI app served by uvicorn on 127.0.0.1 in a thread of this process."""

    origin: str
    server: uvicorn.Server


@contextmanager
def serve_loopback(app: ASGIApp) -> Iterator[Loopback]:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("loopback provider did not start")
        time.sleep(0.01)
    try:
        yield Loopback(f"http://127.0.0.1:{port}", server)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if thread.is_alive():  # pragma: no cover - only when a stalled answer holds it
            server.force_exit = True
            thread.join(timeout=5)
        listener.close()


def loopback_transport() -> httpx2.AsyncHTTPTransport:
    """The transport `default_http_client` builds, made here so a test can inspect its pool."""
    return httpx2.AsyncHTTPTransport(
        limits=httpx2.Limits(max_connections=20, max_keepalive_connections=10), retries=0
    )


def pool_of(transport: httpx2.AsyncHTTPTransport) -> httpcore2.AsyncConnectionPool:
    pool = transport._pool
    assert isinstance(pool, httpcore2.AsyncConnectionPool)
    return pool


def checked_out(pool: httpcore2.AsyncConnectionPool) -> list[str]:
    """What the pool still holds for a caller: requests in flight, connections not idle.

    httpcore2 keeps a request in `_requests` from the moment it asks for a connection until
    its response is closed, and a connection is `is_idle()` only once no exchange is open on
    it; a closed connection is dropped from the pool on the next assignment.
    """
    busy = [f"request {r.request.method!r} {r.request.url!r}" for r in pool._requests]
    busy += [f"connection {c!r}" for c in pool.connections if not (c.is_idle() or c.is_closed())]
    return busy


# ---- a real server process ----------------------------------------------------------------


def server_env(*parts: Mapping[str, str], **extra: str) -> dict[str, str]:
    """A server process's environment: nothing inherited that names a provider or a token."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ESIM_ORDERS_", "PRESSONE_", "ZIM_"))
    }
    for part in parts:
        env.update(part)
    env.update(extra)
    return env


HttpServer = ServerProcess


@contextmanager
def http_server_process(
    env: Mapping[str, str], *args: str, open_files: int | None = None
) -> Iterator[HttpServer]:
    """`esim-orders serve --http` with exactly `env` (no sandbox unless `env` asks for it);
    `open_files` limits its file descriptors."""
    server = start_server(
        ["--http", "--port", "0", *args],
        {"ESIM_ORDERS_PROVIDERS": "", **env},
        open_files=open_files,
    )
    try:
        assert server.ready.wait(20) and server.url, server.stderr
        yield server
    finally:
        server.stop()


# ---- a provider that answers what a test says ---------------------------------------------


class Hostile:
    """The sandbox, except that API answers (not token answers) come from `answer`."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner
        self.answer: Callable[[str], Response | None] = lambda path: None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].endswith("token"):
            response = self.answer(scope["path"])
            if response is not None:
                await response(scope, receive, send)
                return
        await self.inner(scope, receive, send)


def real_orders(app: Starlette) -> tuple[dict[str, Any], dict[str, Any]]:
    """One order of each provider exactly as the sandbox sends it."""
    data = state(app).data
    failed = next(o for o in data.zim.orders if o.failure_reason)
    return (
        pressone_order(data.pressone, data.pressone.orders[0], INCLUDES),
        zim_order(data.zim, failed),
    )


def mutate(order: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(order)
    for key, value in changes.items():
        if value is ...:
            changed.pop(key, None)
        else:
            changed[key] = value
    return changed
