"""MCP over stdin/stdout that a signal can stop at once, even while stdin is silent."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
from mcp.server.stdio import stdio_server

from .app import OrdersServer

READ_SIZE = 64 * 1024


async def serve_stdio(server: OrdersServer) -> None:
    """Serve one client on stdin/stdout until stdin closes or the caller cancels.

    The SDK still claims stdout (fd 1 points at stderr while serving, so stray prints cannot
    corrupt the protocol); only reading stdin is ours.
    """
    async with (
        stdin_lines() as lines,
        stdio_server(stdin=lines) as (read_stream, write_stream),  # type: ignore[arg-type]
    ):
        await server.serve_streams(read_stream, write_stream)


@asynccontextmanager
async def stdin_lines(fd: int = 0) -> AsyncIterator[AsyncIterator[str]]:
    """The lines of `fd`, read by a daemon thread.

    The SDK reads stdin in an AnyIO worker thread that cancellation must wait for, so a
    server told to stop while its client is silent would hang until the next line. A daemon
    thread that blocks in `os.read` is simply left behind: the process exits without it.
    """
    send, receive = anyio.create_memory_object_stream[str](0)
    token = anyio.lowlevel.current_token()
    thread = threading.Thread(
        target=_pump, args=(fd, send, token), name="esim-orders stdin", daemon=True
    )
    thread.start()
    async with receive:
        yield _lines(receive)


async def _lines(receive: Any) -> AsyncIterator[str]:
    async for line in receive:
        yield line


def _pump(fd: int, send: Any, token: Any) -> None:
    """Thread body: hand each non-blank line to the loop; stop at EOF or when nobody listens."""
    buffer = b""
    try:
        while True:
            try:
                chunk = os.read(fd, READ_SIZE)
            except OSError:
                chunk = b""
            if not chunk:
                break
            *lines, buffer = (buffer + chunk).split(b"\n")
            for line in lines:
                if line.strip():
                    anyio.from_thread.run(send.send, _text(line), token=token)
        if buffer.strip():
            anyio.from_thread.run(send.send, _text(buffer), token=token)
        anyio.from_thread.run_sync(send.close, token=token)
    except Exception:
        # The loop is gone or the server stopped listening: there is no one left to tell.
        return


def _text(line: bytes) -> str:
    return line.decode("utf-8", errors="replace")
