"""A provider on real loopback HTTP: an ASGI app served by uvicorn in a thread, and a look
into the client's connection pool."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore2
import httpx2
import uvicorn
from starlette.types import ASGIApp

__all__ = ["Loopback", "checked_out", "loopback_transport", "pool_of", "serve_loopback"]


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
