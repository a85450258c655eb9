"""Client connections: a deadline for each request head, and a cap on how many are open.

uvicorn times out a keep-alive connection between requests, but not one that is still
sending its request line and headers: a client that trickles them a byte at a time is held
forever, and the token check, which needs the headers, never runs. 2,000 such connections
stayed open for as long as they liked; under a 1,024 descriptor limit, 1,100 of them left
the process unable to accept anyone else, and every normal call timed out.

Two things here close that. `HeaderTimeoutProtocol` is uvicorn's h11 protocol with a clock
on the request head. `ConnectionGate` accepts connections itself (uvicorn is handed no
listener) and stops accepting at the cap, which stays under the process's descriptor limit:
the others wait in the kernel's listen queue until a connection closes, at the latest when
the header timeout cuts a trickler, instead of failing to be accepted at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import time
from typing import Any

import anyio
import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["ConnectionGate", "HeaderTimeoutProtocol", "header_timeout_protocol"]

log = logging.getLogger(__name__)

# How often a full gate looks for a free place; only while it is full.
FULL_POLL_SECONDS = 0.05
# Errors that say the process or system ran out of something: wait, as asyncio itself does.
OUT_OF_RESOURCES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
OUT_OF_RESOURCES_PAUSE = 1.0
# At most one warning a minute that the cap is reached: under attack it is reached constantly.
WARN_EVERY_SECONDS = 60.0


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head (request line and
    headers) has not fully arrived within `header_timeout` seconds.

    The clock starts when the connection opens, and again with the first bytes of each
    later request on it (between requests uvicorn's keep-alive timeout applies). It is the
    whole head's deadline, not an idle timeout: a byte now and then does not reset it.
    """

    header_timeout: float = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._await_head()  # a request has begun; its head is not complete yet
        else:
            self._head_arrived()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_arrived()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        if self._head_timer is None and not self.transport.is_closing():
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _head_arrived(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is not h11.IDLE or self.transport.is_closing():
            return
        log.debug("closed a connection: no whole request head in %g s", self.header_timeout)
        with contextlib.suppress(h11.LocalProtocolError):  # as uvicorn's keep-alive timeout
            self.conn.send(h11.ConnectionClosed())
        self.transport.close()


def header_timeout_protocol(seconds: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class for uvicorn's `Config(http=...)`, with this server's timeout."""
    return type("HeaderTimeoutH11Protocol", (HeaderTimeoutProtocol,), {"header_timeout": seconds})


class ConnectionGate:
    """Accepts connections from `listener` for a uvicorn server, never more than `limit` open.

    At the limit it stops accepting: new connections wait in the listen queue (its backlog)
    rather than each costing a descriptor. `close` stops accepting for good and closes the
    listener, which is how a shutdown turns new connections away.
    """

    def __init__(self, listener: socket.socket, server: uvicorn.Server, limit: int) -> None:
        self.listener = listener
        self.server = server
        self.limit = limit
        self._scope = anyio.CancelScope()
        self._warned = -WARN_EVERY_SECONDS

    async def serve(self) -> None:
        """Accept from once uvicorn has started its app until `close`; then close the
        listener (here, once nothing waits on it any more)."""
        try:
            with self._scope:
                while not self.server.started:
                    if self.server.should_exit:
                        return
                    await anyio.sleep(0.01)
                await self._accept_forever()
        finally:
            self.listener.close()

    def close(self) -> None:
        """Stop accepting: connections not yet accepted are refused when the listener closes."""
        self._scope.cancel()

    async def _accept_forever(self) -> None:
        loop = asyncio.get_running_loop()
        config, uv = self.server.config, self.server

        def protocol() -> Any:
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=uv.server_state, app_state=uv.lifespan.state
            )

        open_now = uv.server_state.connections
        self.listener.setblocking(False)
        while True:
            if len(open_now) >= self.limit:
                self._warn_full()
                while len(open_now) >= self.limit:
                    await anyio.sleep(FULL_POLL_SECONDS)
            await anyio.wait_readable(self.listener)
            while len(open_now) < self.limit:
                try:
                    sock, _address = self.listener.accept()
                except (BlockingIOError, InterruptedError):
                    break  # the queue is empty, or a worker sharing the listener took it
                except ConnectionAbortedError:
                    continue  # reset by the client while it waited
                except OSError as exc:
                    if exc.errno not in OUT_OF_RESOURCES:
                        raise
                    log.warning("cannot accept a connection (%s); pausing", exc.strerror)
                    await anyio.sleep(OUT_OF_RESOURCES_PAUSE)
                    break
                sock.setblocking(False)
                try:
                    await loop.connect_accepted_socket(protocol, sock)
                except OSError:  # pragma: no cover - gone before its transport was made
                    sock.close()

    def _warn_full(self) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY_SECONDS:
            self._warned = now
            log.warning(
                "%d connections open, the cap (ESIM_ORDERS_MAX_CONNECTIONS): new ones wait "
                "until one closes",
                self.limit,
            )
