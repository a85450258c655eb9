"""`esim-orders serve` in real processes: their environment, their stderr, their stdio."""

from __future__ import annotations

import json
import os
import queue
import re
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

__all__ = [
    "INITIALIZE",
    "ServerProcess",
    "http_server_process",
    "server_env",
    "start_server",
]

URL_LINE = re.compile(r"serving MCP at (http://\S+)")
# A raw JSON-RPC initialize, for tests that speak HTTP or stdio without the SDK client.
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "tests", "version": "1"},
    },
}
# What a server process runs on unless told otherwise: the sandbox, INFO logs.
_SERVER_DEFAULTS = {"ESIM_ORDERS_PROVIDERS": "sandbox", "ESIM_ORDERS_LOG_LEVEL": "INFO"}


def server_env(*parts: Mapping[str, str], **extra: str) -> dict[str, str]:
    """A server process's environment: nothing inherited that would point it at a real
    provider or set a token; the sandbox at INFO, then `parts` and `extra` over that."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ESIM_ORDERS_", "PRESSONE_", "ZIM_"))
    }
    env.update(_SERVER_DEFAULTS)
    for part in parts:
        env.update(part)
    env.update(extra)
    return env


@dataclass
class ServerProcess:
    """`esim-orders serve` in a subprocess, with its stderr collected as it comes; on stdio,
    its stdout's JSON-RPC messages too (`replies`)."""

    process: subprocess.Popen[str]
    url: str = ""
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    replies: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    def send(self, message: dict[str, Any]) -> None:
        """One JSON-RPC message on a stdio server's stdin."""
        self.write(json.dumps(message) + "\n")

    def write(self, text: str) -> None:
        assert self.process.stdin is not None, "started without stdio=True"
        self.process.stdin.write(text)
        self.process.stdin.flush()

    def reply(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next JSON-RPC message on a stdio server's stdout; fails after `timeout`."""
        try:
            return self.replies.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no message on stdout within {timeout} s; stderr:\n{self.stderr}")

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then the exit code; the process must be gone within `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:  # pragma: no cover - only when the test fails
                self.process.kill()


def start_server(
    args: list[str],
    env: Mapping[str, str] | None = None,
    *,
    stdio: bool = False,
    open_files: int | None = None,
) -> ServerProcess:
    """`esim-orders serve *args`; with `stdio`, its stdin and stdout are pipes to talk over;
    `open_files` caps its file descriptors (RLIMIT_NOFILE, Linux), set the moment the process
    exists, long before the interpreter has started and read its settings."""
    wire = subprocess.PIPE if stdio else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "esim_orders", "serve", *args],
        stdin=wire,
        stdout=wire,
        stderr=subprocess.PIPE,
        text=True,
        env=server_env(env or {}),
    )
    if open_files is not None:
        resource.prlimit(process.pid, resource.RLIMIT_NOFILE, (open_files, open_files))
    running = ServerProcess(process)

    def read_replies() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.replies.put(json.loads(line))

    if stdio:
        threading.Thread(target=read_replies, daemon=True).start()

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            running.lines.append(line)
            found = URL_LINE.search(line)
            if found and not running.url:
                running.url = found.group(1)
                running.ready.set()
        running.ready.set()

    threading.Thread(target=drain, daemon=True).start()
    return running


@contextmanager
def http_server_process(
    env: Mapping[str, str], *args: str, open_files: int | None = None
) -> Iterator[ServerProcess]:
    """`esim-orders serve --http` with exactly `env` (no sandbox unless `env` asks for it);
    `open_files` limits its file descriptors."""
    server = start_server(
        ["--http", "--port", "0", *args],
        {"ESIM_ORDERS_PROVIDERS": "", **env},
        open_files=open_files,
    )
    try:
        assert server.ready.wait(20) and server.url, server.stderr
        yield server
    finally:
        server.stop()
