"""`esim-orders serve --http --workers N`: stateless worker processes behind one port."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client

from ..helpers.processes import INITIALIZE, ServerProcess, start_server

WORKER_LINE = re.compile(r"worker (\d+) \(pid (\d+)\) serving")
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


class Served(ServerProcess):
    """A server process that reports its workers on stderr."""

    def workers(self) -> dict[int, int]:
        """Worker number to PID, the latest start of each."""
        return {int(n): int(pid) for n, pid in WORKER_LINE.findall(self.stderr)}

    def wait_for(self, predicate: Any, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, self.stderr
            time.sleep(0.05)

    def stop(self, timeout: float = 20.0) -> int:
        return super().stop(timeout)


def serve(*args: str) -> Served:
    started = start_server(["--http", "--port", "0", *args])
    served = Served(started.process, lines=started.lines, ready=started.ready)
    assert started.ready.wait(60) and started.url, started.stderr
    served.url = started.url
    return served


@pytest.fixture(scope="module")
def two() -> Iterator[Served]:
    served = serve("--workers", "2")
    yield served
    served.stop()


def post(url: str, body: dict[str, Any]) -> httpx2.Response:
    """On a connection of its own, so the kernel may hand it to any worker."""
    with httpx2.Client(timeout=20) as http:
        return http.post(url, json=body, headers=HEADERS)


def call(url: str, name: str, arguments: dict[str, Any], request_id: int = 2) -> httpx2.Response:
    body = {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }
    return post(url, body)


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    except OSError:  # pragma: no cover - no /proc here
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return "\nState:\tZ" in state  # exited, waiting for someone to reap it


def test_both_workers_start_as_processes_of_their_own(two: Served) -> None:
    two.wait_for(lambda: len(two.workers()) == 2)
    pids = set(two.workers().values())
    assert len(pids) == 2 and two.process.pid not in pids
    assert "(2 workers, stateless)" in two.stderr


def test_requests_on_new_connections_reach_both_workers(two: Served) -> None:
    answered: list[str] = []
    for _ in range(40):
        response = post(two.url, INITIALIZE)
        assert response.status_code == 200
        answered.append(response.headers["x-esim-orders-worker"])
        if set(answered) == {"1", "2"}:
            break
    assert set(answered) == {"1", "2"}, answered


def test_stateless_answers_are_plain_json_without_a_session(two: Served) -> None:
    response = post(two.url, INITIALIZE)
    assert response.headers["content-type"].startswith("application/json")
    assert "mcp-session-id" not in response.headers
    assert response.json()["result"]["serverInfo"]["name"] == "esim-orders"


def test_a_cursor_from_one_worker_pages_on_with_either(two: Served) -> None:
    first = call(two.url, "list_orders", {"limit": 5}).json()["result"]["structuredContent"]
    cursor = first["next_cursor"]
    pages: dict[str, Any] = {}
    for i in range(40):
        response = call(two.url, "list_orders", {"limit": 5, "cursor": cursor}, request_id=3 + i)
        result = response.json()["result"]
        assert not result.get("isError"), result
        pages[response.headers["x-esim-orders-worker"]] = result["structuredContent"]
        if len(pages) == 2:
            break
    assert len(pages) == 2, "every request landed on one worker"
    one, other = pages.values()
    # Cursors carry the second they were issued in, so the next cursor may differ.
    one.pop("next_cursor"), other.pop("next_cursor")
    assert one == other
    assert not {o["ref"] for o in one["orders"]} & {o["ref"] for o in first["orders"]}


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_sdk_client_works_against_the_workers(two: Served, mode: str) -> None:
    async with Client(two.url, mode=mode) as client:
        tools = await client.list_tools()
        page = await client.call_tool("list_orders", {"limit": 2, "status": ["FAILED"]})
        ref = (page.structured_content or {})["orders"][0]["ref"]
        order = await client.call_tool("get_order", {"ref": ref})
    assert len(tools.tools) == 4
    assert (order.structured_content or {})["ref"] == ref


def test_a_worker_that_dies_is_started_again() -> None:
    served = serve("--workers", "2")
    try:
        served.wait_for(lambda: len(served.workers()) == 2)
        victim = served.workers()[1]
        os.kill(victim, signal.SIGKILL)
        served.wait_for(lambda: served.workers()[1] != victim)
        assert "worker 1 exited" in served.stderr
        assert post(served.url, INITIALIZE).status_code == 200
    finally:
        assert served.stop() == 0
    assert "Traceback" not in served.stderr


def test_sigterm_stops_every_worker_cleanly() -> None:
    served = serve("--workers", "2")
    served.wait_for(lambda: len(served.workers()) == 2)
    pids = list(served.workers().values())
    assert served.stop() == 0
    served.wait_for(lambda: all(gone(pid) for pid in pids), 10)
    time.sleep(0.1)  # the reader thread takes the last lines
    assert served.stderr.count("order service closed") == 2
    assert "Traceback" not in served.stderr


def test_workers_stop_when_the_supervisor_is_killed_outright() -> None:
    served = serve("--workers", "2")
    served.wait_for(lambda: len(served.workers()) == 2)
    pids = list(served.workers().values())
    served.process.kill()
    served.process.wait(10)
    served.wait_for(lambda: all(gone(pid) for pid in pids), 20)


def test_one_stateless_process_answers_without_sessions() -> None:
    served = serve("--stateless")
    try:
        response = post(served.url, INITIALIZE)
        assert "mcp-session-id" not in response.headers
        assert "x-esim-orders-worker" not in response.headers
        listing = call(served.url, "list_orders", {"limit": 1}).json()
        assert listing["result"]["structuredContent"]["returned"] == 1
        assert "(stateless)" in served.stderr
    finally:
        assert served.stop() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "2"], "--workers and --stateless apply to --http only"),
        (["--http", "--workers", "0"], "--workers must be between 1 and 64"),
    ],
)
def test_worker_options_that_cannot_work_are_refused(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "esim_orders", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ESIM_ORDERS_PROVIDERS": "sandbox"},
    )
    assert done.returncode == 2
    assert message in done.stderr


def test_the_worker_header_is_not_json_noise(two: Served) -> None:
    # The label is a header only: the answer itself is the protocol's and nothing more.
    body = post(two.url, INITIALIZE).json()
    assert set(body) == {"jsonrpc", "id", "result"}
    assert json.dumps(body).count("worker") == 0
