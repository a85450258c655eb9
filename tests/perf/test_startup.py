"""What keeps the server quick to start and quick to answer: a light import path, and Nagle's
algorithm off on every connection it accepts."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

from esim_orders.server.http import tcp_listener

HEAVY = ("pandas", "numpy", "ipywidgets", "IPython", "matplotlib", "esim_orders.widgets")
# Loaded only by deployments that set ESIM_ORDERS_REDIS_URL or ESIM_ORDERS_AUTH_ISSUER.
HOSTED = ("redis", "jwt", "esim_orders.server.verifier")

# A server on the embedded sandbox, built and its service opened, as `serve` does at start.
SERVE = (
    "import sys, anyio, esim_orders.cli; "
    "from esim_orders.server import build_server, run_server; "
    "from esim_orders.service.wiring import open_service; "
    "from esim_orders.settings import Settings; "
    "import esim_orders.sandbox.app as sandbox_app; "
    "built = []; create = sandbox_app.create_app; "
    "sandbox_app.create_app = lambda *a, **k: built.append(1) or create(*a, **k); "
    "settings = Settings.from_env({'ESIM_ORDERS_PROVIDERS': 'sandbox'}); "
    "build_server(settings); service = open_service(settings); "
)


def probe(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SERVE + code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_serve_path_imports_nothing_heavy() -> None:
    assert probe(f"print([m for m in {HEAVY + HOSTED!r} if m in sys.modules])") == "[]"


def test_the_embedded_sandbox_makes_its_data_on_the_first_request_not_at_start() -> None:
    """A client that starts the server and lists its tools never waits for the demo data."""
    first_request = (
        "\ntry:\n    anyio.run(service.get_order, 'pressone:1')\n"
        "except esim_orders.errors.OrderNotFound:\n    pass\n"
    )
    assert probe(f"print(len(built)){first_request}print(len(built))").split() == ["0", "1"]


def test_accepted_connections_have_nagle_off() -> None:
    listener = tcp_listener("127.0.0.1", 0)
    try:
        assert listener.proto == socket.IPPROTO_TCP  # what asyncio checks before TCP_NODELAY
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getpeername() == client.getsockname()  # this client's connection
                assert accepted.proto == socket.IPPROTO_TCP  # asyncio checks the accepted socket
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        listener.close()


async def test_connections_the_event_loop_accepts_have_nagle_off() -> None:
    """As the server meets them: asyncio serving on the listener, as uvicorn does."""
    loop = asyncio.get_running_loop()
    nodelay: asyncio.Future[int] = loop.create_future()

    class Accepted(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            nodelay.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await loop.create_server(Accepted, sock=tcp_listener("127.0.0.1", 0))
    async with server:
        _, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
        try:
            assert await asyncio.wait_for(nodelay, 5)
        finally:
            writer.close()
