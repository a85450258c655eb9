"""MCP over stdin/stdout that a signal can stop at once, even while stdin is silent, and that
refuses a message over the size cap without holding it."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp_types import INVALID_REQUEST, ErrorData, JSONRPCError

from .app import OrdersServer
from .options import MAX_BODY_BYTES

log = logging.getLogger(__name__)

# Bytes asked of stdin at a time: with the cap, all a reader ever holds of one message.
READ_SIZE = 64 * 1024


@dataclass(frozen=True)
class TooLarge:
    """In place of a message over `limit` bytes, which is refused: discarded as it is read."""

    limit: int


async def serve_stdio(server: OrdersServer, *, max_message_bytes: int = MAX_BODY_BYTES) -> None:
    """Serve one client on stdin/stdout until stdin closes or the caller cancels.

    The SDK still claims stdout (fd 1 points at stderr while serving, so stray prints cannot
    corrupt the protocol); only reading stdin is ours. A message over `max_message_bytes`
    (the HTTP body cap, by default) is answered with a JSON-RPC error and discarded.
    """
    refusals = _Refusals()
    async with (
        stdin_lines(max_bytes=max_message_bytes, refuse=refusals.send) as lines,
        stdio_server(stdin=lines) as (read_stream, write_stream),  # type: ignore[arg-type]
    ):
        refusals.open(write_stream)
        await server.serve_streams(read_stream, write_stream)


@asynccontextmanager
async def stdin_lines(
    fd: int = 0,
    *,
    max_bytes: int = MAX_BODY_BYTES,
    refuse: Callable[[TooLarge], Awaitable[None]] | None = None,
) -> AsyncIterator[AsyncIterator[str]]:
    """The lines of `fd`, read by a daemon thread; for a line over `max_bytes`, `refuse`.

    The SDK reads stdin in an AnyIO worker thread that cancellation must wait for, so a
    server told to stop while its client is silent would hang until the next line. A daemon
    thread that blocks in `os.read` is simply left behind: the process exits without it.
    """
    send, receive = anyio.create_memory_object_stream[str | TooLarge](0)
    token = anyio.lowlevel.current_token()
    thread = threading.Thread(
        target=_pump, args=(fd, max_bytes, send, token), name="esim-orders stdin", daemon=True
    )
    thread.start()
    async with receive:
        yield _lines(receive, refuse)


async def _lines(
    receive: Any, refuse: Callable[[TooLarge], Awaitable[None]] | None
) -> AsyncIterator[str]:
    async for item in receive:
        if isinstance(item, TooLarge):
            log.warning("refused a message over %d bytes on stdin", item.limit)
            if refuse is not None:
                await refuse(item)
        else:
            yield item


class _Refusals:
    """Answers to messages too large to read, written to stdout by the SDK like any answer.

    Its write stream opens only after the lines were handed to it, hence `open`.
    """

    def __init__(self) -> None:
        self._stream: Any = None
        self._opened = anyio.Event()

    def open(self, write_stream: Any) -> None:
        self._stream = write_stream
        self._opened.set()

    async def send(self, too_large: TooLarge) -> None:
        await self._opened.wait()
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            await self._stream.send(SessionMessage(refusal(too_large.limit)))


def refusal(limit: int) -> JSONRPCError:
    """The answer to a message over `limit` bytes; its id could not be read, so it is null."""
    return JSONRPCError(
        jsonrpc="2.0",
        id=None,
        error=ErrorData(
            code=INVALID_REQUEST,
            message=f"message too large: over {limit} bytes, the most one message may be; "
            "it was discarded",
        ),
    )


def read_messages(
    read: Callable[[int], bytes], max_bytes: int, read_size: int = READ_SIZE
) -> Iterator[bytes | TooLarge]:
    """The non-blank lines `read` gives until it gives b"", newlines dropped.

    A line over `max_bytes` is `TooLarge`, yielded as soon as it passes the cap; the rest of
    it is read and dropped up to its newline. So at most `max_bytes + read_size` bytes of
    a line are ever held, however long it is, or if it never ends.
    """
    line = bytearray()
    dropping = False
    while chunk := read(read_size):
        view = memoryview(chunk)
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if not dropping:
                line += view[start:] if end < 0 else view[start:end]
                if len(line) > max_bytes:
                    yield TooLarge(max_bytes)
                    line = bytearray()
                    dropping = True
            if end < 0:
                break
            if not dropping and _has_text(line):
                yield bytes(line)
            line = bytearray()
            dropping = False
            start = end + 1
    if not dropping and _has_text(line):
        yield bytes(line)


def _has_text(line: bytearray) -> bool:
    return bool(line) and not line.isspace()


def _read(fd: int, size: int) -> bytes:
    try:
        return os.read(fd, size)
    except OSError:
        return b""


def _pump(fd: int, max_bytes: int, send: Any, token: Any) -> None:
    """Thread body: hand each message to the loop; stop at EOF or when nobody listens."""
    try:
        for message in read_messages(partial(_read, fd), max_bytes):
            item = message if isinstance(message, TooLarge) else _text(message)
            anyio.from_thread.run(send.send, item, token=token)
        anyio.from_thread.run_sync(send.close, token=token)
    except Exception:
        # The loop is gone or the server stopped listening: there is no one left to tell.
        return


def _text(line: bytes) -> str:
    return line.decode("utf-8", errors="replace")
