"""Child processes the benchmarks talk to over loopback: the sandbox, and MCP servers.

The sandbox stands in for the providers' network, so it runs in a process of its own, reached
over real HTTP on 127.0.0.1; `/_bench/...` routes (added here, not in the sandbox) let the
benchmark read its request counters and turn its latency knob while it runs.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from .harness import ROOT

# The sandbox's reference time is pinned, so runs list the same orders.
SANDBOX_NOW = "2026-11-23T12:00:00+00:00"
_URL_LINE = re.compile(r"serving MCP at (http://\S+)")


@dataclass
class SandboxProcess:
    """`python -m benchmarks.sandbox_server` in a child process."""

    orders: int = 500
    latency_ms: float = 0.0
    process: subprocess.Popen[str] | None = None
    url: str = ""

    def __enter__(self) -> SandboxProcess:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.sandbox_server",
                "--orders",
                str(self.orders),
                "--latency-ms",
                str(self.latency_ms),
            ],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=bench_env(),
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.process.kill()
            raise RuntimeError(f"sandbox did not start: {line}{self.process.stderr.read()}")  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop(self.process)

    def provider_env(self) -> dict[str, str]:
        """Settings that point the client at this sandbox as if it were both providers."""
        return {
            "PRESSONE_BASE_URL": f"{self.url}/pressone",
            "PRESSONE_CLIENT_ID": "sandbox",
            "PRESSONE_CLIENT_SECRET": "sandbox-secret",
            "ZIM_BASE_URL": f"{self.url}/zim",
            "ZIM_TOKEN_URL": f"{self.url}/zim/oauth2/token",
            "ZIM_CLIENT_ID": "sandbox",
            "ZIM_CLIENT_SECRET": "sandbox-secret",
        }

    def control(self, what: str, **params: Any) -> dict[str, Any]:
        answer = httpx2.post(f"{self.url}/_bench/{what}", params=params, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def stats(self) -> dict[str, Any]:
        return self.control("stats")

    def reset(self) -> None:
        self.control("reset")

    def set_latency(self, ms: float) -> None:
        self.control("latency", ms=ms)

    def api_requests(self) -> int:
        """Provider API requests answered so far (token requests not counted)."""
        return sum(n for _, _, n in self.stats()["api_requests"])

    def refs(self, **query: Any) -> list[str]:
        """Refs of sandbox orders by wire status, e.g. refs(pressone="on_hold")."""
        return self.control("refs", **query)["refs"]


def bench_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A child's environment: nothing inherited that points at real providers."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ESIM_ORDERS_", "PRESSONE_", "ZIM_"))
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def stop(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def esim_orders_command() -> list[str]:
    """`esim-orders`, as installed next to this interpreter, else `python -m esim_orders`."""
    script = Path(sys.executable).with_name("esim-orders")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "esim_orders"]


@dataclass
class HttpServerProcess:
    """An MCP server over streamable HTTP in a child process, ready once it says where."""

    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[str] | None = None
    url: str = ""
    lines: list[str] = field(default_factory=list)

    def __enter__(self) -> HttpServerProcess:
        self.process = subprocess.Popen(
            self.args,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=bench_env(self.env),
        )
        ready = threading.Event()

        def drain() -> None:
            assert self.process is not None and self.process.stderr is not None
            for line in self.process.stderr:
                self.lines.append(line)
                found = _URL_LINE.search(line)
                if found and not self.url:
                    self.url = found.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(60) or not self.url:
            stop(self.process)
            raise RuntimeError("server did not start:\n" + "".join(self.lines))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop(self.process)


def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.05)


def dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


@dataclass
class RedisProcess:
    """Debian's redis-server on a free loopback port, nothing kept on disk."""

    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> RedisProcess:
        import redis

        self.port = free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        wait_for(lambda: _answers(client), 10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop(self.process)

    def keyspace_hits(self) -> int:
        """Reads that found their key, by every client so far (Redis's own counter)."""
        import redis

        return int(redis.Redis(port=self.port).info("stats")["keyspace_hits"])


@dataclass
class IssuerProcess:
    """The tests' local OpenID provider (scripts/hosted-tools, Node) on a free port."""

    port: int = 0
    process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> IssuerProcess:
        subprocess.run(["bash", str(ROOT / "scripts" / "install-hosted-tools.sh")], check=True)
        self.port = free_port()
        script = ROOT / "scripts" / "hosted-tools" / "provider.mjs"
        self.process = subprocess.Popen(
            ["node", str(script), str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        if not self.process.stdout.readline().startswith("issuer "):
            stop(self.process)
            raise RuntimeError("oidc-provider did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop(self.process)

    def token(self, resource: str) -> str:
        answer = httpx2.post(
            f"{self.url}/token",
            data={"grant_type": "client_credentials", "scope": "orders:read", "resource": resource},
            auth=("reader-app", "reader-app-secret"),
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()["access_token"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False
