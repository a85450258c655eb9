"""Fixtures: the MCP server over a pinned in-process sandbox, and real server processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from mcp import Client
from starlette.applications import Starlette

from esim_orders.client.transport import RetryPolicy
from esim_orders.server import OrdersServer, build_server
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

from ..helpers import ONE_ATTEMPT, sandbox_app
from ..helpers.processes import ServerProcess, start_server
from ..helpers.tools import ServerMaker

# Handshake-era connections, and the per-request era the SDK picks by default.
MODES = ("legacy", "auto")


@pytest.fixture(name="sandbox_app")
def pinned_sandbox_app() -> Starlette:
    """The sandbox at NOW with 60 orders a provider."""
    return sandbox_app(orders=60)


@dataclass
class Opened:
    """Every service the server under test opened, to check they were closed."""

    services: list[OrderService] = field(default_factory=list)


@pytest.fixture
def opened() -> Opened:
    return Opened()


@pytest.fixture
def make_server(sandbox_app: Starlette, opened: Opened) -> ServerMaker:
    """A server on `sandbox_app`; `env` is the process environment it would read."""

    def make(
        env: Mapping[str, str] | None = None,
        *,
        app: Starlette | None = None,
        settings: Settings | None = None,
        transport: Any = None,
        patch: Callable[[OrderService], None] | None = None,
        policy: RetryPolicy = ONE_ATTEMPT,
    ) -> OrdersServer:
        settings = settings or Settings.from_env(dict(env or {}))

        def factory() -> OrderService:
            service = open_service(
                settings,
                sandbox_app=app or sandbox_app,
                transport=transport,
                policy=policy,
            )
            if patch is not None:
                patch(service)
            opened.services.append(service)
            return service

        return build_server(settings, service_factory=factory)

    return make


@pytest.fixture
def server(make_server: ServerMaker) -> OrdersServer:
    return make_server()


@pytest.fixture(params=MODES)
def connect(request: pytest.FixtureRequest, server: OrdersServer) -> Callable[[], Client]:
    """An in-memory client, entered by the test itself: the SDK's task groups must open and
    close in one task, which an async fixture's setup and teardown are not."""
    return lambda: Client(server, mode=request.param)


# ---- real server processes ---------------------------------------------------------------


@pytest.fixture(scope="module")
def spawn() -> Iterator[Callable[..., ServerProcess]]:
    """Start HTTP servers for a module's tests; stop them all at its end."""
    started: list[ServerProcess] = []

    def run(*args: str, env: Mapping[str, str] | None = None) -> ServerProcess:
        running = start_server(["--http", "--port", "0", *args], env)
        started.append(running)
        if not running.ready.wait(20) or not running.url:
            running.stop()
            pytest.fail(f"server did not start:\n{running.stderr}")
        return running

    yield run
    for running in started:
        running.stop()
