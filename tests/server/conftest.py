"""Fixtures: the MCP server over a pinned in-process sandbox, and real server processes."""

from __future__ import annotations

import json
import os
import queue
import re
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from mcp import Client
from starlette.applications import Starlette

from esim_orders.client.transport import RetryPolicy
from esim_orders.sandbox import SandboxConfig, create_app
from esim_orders.server import OrdersServer, build_server
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# One attempt and short waits: error paths must not sit out real backoffs.
FAST = RetryPolicy(max_attempts=1, backoff_base=0.001, backoff_cap=0.01, deadline=5.0)
# Handshake-era connections, and the per-request era the SDK picks by default.
MODES = ("legacy", "auto")


@pytest.fixture
def sandbox_app() -> Starlette:
    return create_app(SandboxConfig(now=NOW, orders=60))


@dataclass
class Opened:
    """Every service the server under test opened, to check they were closed."""

    services: list[OrderService] = field(default_factory=list)


@pytest.fixture
def opened() -> Opened:
    return Opened()


ServerMaker = Callable[..., OrdersServer]


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
    ) -> OrdersServer:
        settings = settings or Settings.from_env(dict(env or {}))

        def factory() -> OrderService:
            service = open_service(
                settings,
                sandbox_app=app or sandbox_app,
                transport=transport,
                policy=FAST,
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

URL_LINE = re.compile(r"serving MCP at (http://\S+)")
# A raw JSON-RPC initialize, for tests that speak HTTP without the SDK client.
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "tests", "version": "1"},
    },
}


@dataclass
class ServerProcess:
    """`esim-orders serve` in a subprocess, with its stderr collected as it comes; on stdio,
    its stdout's JSON-RPC messages too (`replies`)."""

    process: subprocess.Popen[str]
    url: str = ""
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    replies: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    def send(self, message: dict[str, Any]) -> None:
        """One JSON-RPC message on a stdio server's stdin."""
        self.write(json.dumps(message) + "\n")

    def write(self, text: str) -> None:
        assert self.process.stdin is not None, "started without stdio=True"
        self.process.stdin.write(text)
        self.process.stdin.flush()

    def reply(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next JSON-RPC message on a stdio server's stdout; fails after `timeout`."""
        try:
            return self.replies.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no message on stdout within {timeout} s; stderr:\n{self.stderr}")

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then the exit code; the process must be gone within `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:  # pragma: no cover - only when the test fails
                self.process.kill()


def server_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a server process: the sandbox, INFO logs, nothing inherited that
    would point it at a real provider or set a token."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ESIM_ORDERS_", "PRESSONE_", "ZIM_"))
    }
    env.update({"ESIM_ORDERS_PROVIDERS": "sandbox", "ESIM_ORDERS_LOG_LEVEL": "INFO"})
    env.update(extra or {})
    return env


def start_server(
    args: list[str],
    env: Mapping[str, str] | None = None,
    *,
    stdio: bool = False,
    open_files: int | None = None,
) -> ServerProcess:
    """`esim-orders serve ARGS`; with `stdio`, its stdin and stdout are pipes to talk over;
    `open_files` caps its file descriptors (RLIMIT_NOFILE, Linux), set the moment the process
    exists, long before the interpreter has started and read its settings.
    """
    wire = subprocess.PIPE if stdio else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "esim_orders", "serve", *args],
        stdin=wire,
        stdout=wire,
        stderr=subprocess.PIPE,
        text=True,
        env=server_env(env),
    )
    if open_files is not None:
        resource.prlimit(process.pid, resource.RLIMIT_NOFILE, (open_files, open_files))
    running = ServerProcess(process)

    def read_replies() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.replies.put(json.loads(line))

    if stdio:
        threading.Thread(target=read_replies, daemon=True).start()

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            running.lines.append(line)
            found = URL_LINE.search(line)
            if found and not running.url:
                running.url = found.group(1)
                running.ready.set()
        running.ready.set()

    threading.Thread(target=drain, daemon=True).start()
    return running


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
