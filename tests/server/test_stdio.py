"""stdio's message cap: a message over it is refused and dropped as it is read, not held."""

from __future__ import annotations

import contextlib
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mcp_types import INVALID_REQUEST

from esim_orders.server.options import MAX_BODY_BYTES
from esim_orders.server.stdio import READ_SIZE, TooLarge, read_messages

from ..helpers.processes import INITIALIZE, ServerProcess, start_server

PIECE = 256 * 1024
# The start of a request whose end (and so whose id) the server never gets to read.
HEAD = '{"jsonrpc": "2.0", "id": 7, "method": "ping", "params": {"_meta": {"pad": "'
TAIL = '"}}}\n'
TOOLS = ["list_orders", "get_order", "explain_failure", "get_esim"]


@pytest.fixture
def stdio() -> Iterator[ServerProcess]:
    """`esim-orders serve` on stdio, initialized."""
    server = start_server([], stdio=True)
    try:
        server.send(INITIALIZE)
        assert server.reply()["result"]["serverInfo"]["name"] == "esim-orders"
        server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        yield server
    finally:
        assert server.process.stdin and server.process.stdout
        server.stop()
        for pipe in (server.process.stdin, server.process.stdout):
            with contextlib.suppress(BrokenPipeError):
                pipe.close()


def write_message(server: ServerProcess, size: int, end: str = TAIL) -> bool:
    """A message of about `size` bytes, padding sent in pieces, then `end`; False when the
    server did not read it all within 15 s.

    On a thread of its own: a server that stopped reading stdin fails the test, not hangs it.
    """

    def run() -> None:
        try:
            server.write(HEAD)
            for start in range(len(HEAD), size, PIECE):
                server.write("x" * min(PIECE, size - start))
            server.write(end)
        except (BrokenPipeError, ValueError):  # pragma: no cover - the server is gone
            pass

    writer = threading.Thread(target=run, daemon=True)
    writer.start()
    writer.join(15)
    return not writer.is_alive()


def memory_kb(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS of a process, in kB."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {name: int(fields[name].split()[0]) for name in ("VmHWM", "VmRSS")}


def assert_refused_as_too_large(reply: dict[str, object]) -> None:
    assert reply["id"] is None
    error = reply["error"]
    assert isinstance(error, dict)
    assert error["code"] == INVALID_REQUEST
    assert f"over {MAX_BODY_BYTES} bytes" in error["message"]


def test_a_message_under_the_cap_is_answered(stdio: ServerProcess) -> None:
    assert write_message(stdio, MAX_BODY_BYTES - 1000)
    assert stdio.reply() == {"jsonrpc": "2.0", "id": 7, "result": {}}


def test_a_message_over_the_cap_is_refused_and_the_next_request_is_answered(
    stdio: ServerProcess,
) -> None:
    assert write_message(stdio, 5_000_000), stdio.stderr
    assert_refused_as_too_large(stdio.reply())
    stdio.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    listed = stdio.reply()
    assert listed["id"] == 2
    assert [tool["name"] for tool in listed["result"]["tools"]] == TOOLS


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_line_that_never_ends_leaves_the_servers_memory_flat(stdio: ServerProcess) -> None:
    """50 MB and never a newline, then EOF: the server keeps at most about a cap's worth."""
    pid = stdio.process.pid
    before = memory_kb(pid)
    read_it_all = write_message(stdio, 50_000_000, end="")
    after = memory_kb(pid)
    grown = after["VmHWM"] - before["VmHWM"]
    assert grown < 20_000, f"peak memory grew {grown} kB reading 50 MB: {before} -> {after}"
    assert read_it_all, f"the server stopped reading stdin:\n{stdio.stderr}"
    assert_refused_as_too_large(stdio.reply())
    assert stdio.process.stdin is not None
    stdio.process.stdin.close()  # EOF in the middle of the endless line
    assert stdio.process.wait(10) == 0
    assert stdio.replies.empty()
    assert "Traceback" not in stdio.stderr


# ---- the reader itself ---------------------------------------------------------------------


def reads_of(chunks: list[bytes], asked: list[int] | None = None) -> Callable[[int], bytes]:
    """A `read` that hands out `chunks` one per call, then EOF; notes the sizes asked for."""
    pending = iter(chunks)

    def read(size: int) -> bytes:
        if asked is not None:
            asked.append(size)
        return next(pending, b"")

    return read


def test_the_reader_joins_lines_split_over_reads_and_skips_blank_ones() -> None:
    chunks = [b'{"a"', b":1}\n\n  \n", b'{"b":2}\n{"c"', b":3}"]
    assert list(read_messages(reads_of(chunks), max_bytes=100)) == [
        b'{"a":1}',
        b'{"b":2}',
        b'{"c":3}',
    ]


def test_the_reader_refuses_a_line_over_the_cap_once_and_keeps_the_next() -> None:
    data = b"x" * 10 + b"\n" + b"y" * 25 + b"\n" + b"ok\n" + b"z" * 11
    chunks = [data[at : at + 4] for at in range(0, len(data), 4)]
    assert list(read_messages(reads_of(chunks), max_bytes=10)) == [
        b"x" * 10,
        TooLarge(10),
        b"ok",
        TooLarge(10),
    ]


def test_the_reader_holds_no_more_than_a_cap_and_a_read_of_an_endless_line() -> None:
    chunk = b"x" * READ_SIZE
    asked: list[int] = []
    read = reads_of([chunk] * 320 + [b"\n", b"ok\n"], asked)  # 20 MB, then the line ends
    tracemalloc.start()
    try:
        messages = list(read_messages(read, max_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert messages == [TooLarge(1_000_000), b"ok"]
    assert peak < 3_000_000
    assert max(asked) <= READ_SIZE
