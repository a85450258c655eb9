"""What keeps the server quick to start and quick to answer: a light import path, and Nagle's
algorithm off on every connection it accepts."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

from esim_orders.server.http import tcp_listener

HEAVY = ("pandas", "numpy", "ipywidgets", "IPython", "matplotlib", "esim_orders.widgets")


def test_the_serve_path_imports_nothing_heavy() -> None:
    probe = (
        "import sys, esim_orders.cli; "
        "from esim_orders.server import build_server, run_server; "
        "from esim_orders.service.wiring import open_service; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


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
