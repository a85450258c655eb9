"""What keeps the server quick to start and quick to answer: a light import path, and Nagle's
algorithm off on every connection it accepts."""

from __future__ import annotations

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
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            assert client
    finally:
        listener.close()
