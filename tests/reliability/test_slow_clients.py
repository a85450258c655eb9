"""Connections that trickle their request heads: closed after the header timeout, and never
allowed to use up the process's file descriptors so that no one else gets in.

A trickler needs no token (the token is checked once the headers have arrived), so anyone who
reaches the port can open them. Each sends the start of a request, then a byte at a time.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import anyio
import anyio.abc
from mcp import Client

from ..helpers.processes import ServerProcess, http_server_process, server_env

TRICKLERS = 300
HEAD = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
BYTE_EVERY = 0.3
# Tight for the test, so that tricklers are cut within seconds.
HEADER_TIMEOUT = 1.5
# Under the limit a server process gets: 300 tricklers would use up its descriptors.
OPEN_FILES = 256


@dataclass
class Trickler:
    """One raw connection sending a request head that never ends; `closed_after` is how long
    the server let it live, None while it is still open."""

    opened: float
    closed_after: float | None = None


async def trickle(stream: anyio.abc.SocketStream, trickler: Trickler, until: float) -> None:
    """Send a byte every BYTE_EVERY seconds until the server answers or closes, or `until`."""
    async with stream:
        try:
            await stream.send(HEAD)
            while time.monotonic() < until:
                with anyio.move_on_after(BYTE_EVERY):
                    await stream.receive()
                    break  # an answer to half a request head can only precede a close
                await stream.send(b"x")
            else:
                return
        except (anyio.EndOfStream, anyio.BrokenResourceError, OSError):
            pass
        trickler.closed_after = time.monotonic() - trickler.opened


async def open_tricklers(
    group: anyio.abc.TaskGroup, port: int, count: int, until: float
) -> list[Trickler]:
    tricklers = []
    for _ in range(count):
        stream = await anyio.connect_tcp("127.0.0.1", port)
        trickler = Trickler(time.monotonic())
        tricklers.append(trickler)
        group.start_soon(trickle, stream, trickler, until)
    return tricklers


def port_of(server: ServerProcess) -> int:
    return int(server.url.rsplit(":", 1)[1].split("/")[0])


async def test_trickled_request_heads_are_cut_after_the_header_timeout() -> None:
    env = server_env(
        ESIM_ORDERS_PROVIDERS="sandbox", ESIM_ORDERS_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT)
    )
    with http_server_process(env) as server:
        until = time.monotonic() + HEADER_TIMEOUT + 5
        async with anyio.create_task_group() as group:
            tricklers = await open_tricklers(group, port_of(server), TRICKLERS, until)
        cut = [t.closed_after for t in tricklers if t.closed_after is not None]
        assert len(cut) == TRICKLERS, f"{len(cut)} of {TRICKLERS} tricklers were closed"
        # Cut by the header timeout, not refused at once: they did reach the server.
        assert min(cut) >= HEADER_TIMEOUT - 0.2
        async with Client(server.url) as client:
            page = await client.call_tool("list_orders", {"limit": 1})
        assert not page.is_error
        assert "Traceback" not in server.stderr


async def test_a_kept_alive_connection_trickling_its_next_request_is_cut_too() -> None:
    env = server_env(
        ESIM_ORDERS_PROVIDERS="sandbox", ESIM_ORDERS_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT)
    )
    with http_server_process(env) as server:
        stream = await anyio.connect_tcp("127.0.0.1", port_of(server))
        await stream.send(b"GET /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        with anyio.fail_after(5):
            while b"\r\n\r\n" not in answer or not answer.endswith(b"Not Found"):
                answer += await stream.receive()
        assert answer.startswith(b"HTTP/1.1 404")  # answered, and the connection kept alive
        trickler = Trickler(time.monotonic())
        await trickle(stream, trickler, until=time.monotonic() + HEADER_TIMEOUT + 5)
        assert trickler.closed_after is not None, "the second request head was never cut"
        assert trickler.closed_after >= HEADER_TIMEOUT - 0.2


async def test_a_client_gets_in_while_tricklers_fill_the_connection_cap() -> None:
    """300 tricklers against a process that may open 256 files: its default connection cap
    stays under that limit, so tricklers can fill the cap but never the descriptor table,
    and the client's connection waits its turn instead of hanging unaccepted."""
    env = server_env(
        ESIM_ORDERS_PROVIDERS="sandbox", ESIM_ORDERS_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT)
    )
    with http_server_process(env, open_files=OPEN_FILES) as server:
        until = time.monotonic() + 3 * HEADER_TIMEOUT + 6
        async with anyio.create_task_group() as group:
            tricklers = await open_tricklers(group, port_of(server), TRICKLERS, until)
            started = time.monotonic()
            page = None
            with anyio.move_on_after(3 * HEADER_TIMEOUT + 5):
                async with Client(server.url, mode="legacy") as client:
                    page = await client.call_tool("list_orders", {"limit": 1})
            waited = time.monotonic() - started
        assert page is not None, f"no answer within {waited:.1f} s:\n{server.stderr[-1500:]}"
        assert not page.is_error
        cut = [t for t in tricklers if t.closed_after is not None]
        assert len(cut) == TRICKLERS, f"{len(cut)} of {TRICKLERS} tricklers were closed"
        # The client got in once the first tricklers were cut, not before: the cap was full.
        assert waited >= HEADER_TIMEOUT - 0.5
        assert "out of system resource" not in server.stderr
        assert "Too many open files" not in server.stderr


async def whole_response(stream: anyio.abc.ByteStream) -> bytes:
    """One HTTP response with a Content-Length, however the segments arrive: a response read
    with one `receive` may stop short, and its rest would pass for the next response."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += await stream.receive()
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    assert length is not None, head[:200]
    while len(body) < int(length.group(1)):
        body += await stream.receive()
    return head + b"\r\n\r\n" + body


async def test_an_idle_kept_alive_connection_outlives_a_clients_pool_expiry() -> None:
    """The server keeps an idle connection open longer than clients keep theirs (httpx: 5 s),
    so a client never sends a request on a connection the server is just closing."""
    ping = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}'
    head = (
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Accept: application/json, text/event-stream\r\n"
        f"Content-Length: {len(ping)}\r\n\r\n"
    ).encode()
    with http_server_process(server_env(ESIM_ORDERS_PROVIDERS="sandbox"), "--stateless") as server:
        stream = await anyio.connect_tcp("127.0.0.1", port_of(server))
        async with stream:
            for attempt in range(2):
                if attempt:
                    await anyio.sleep(6)  # past httpx's pool expiry, and uvicorn's default
                await stream.send(head + ping)
                with anyio.fail_after(10):
                    answer = await whole_response(stream)
                assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
