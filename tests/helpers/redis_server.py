"""A real redis-server (Debian's package) on a free loopback port, started and stopped by
tests: the store every hosted deployment shares, with nothing kept on disk."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field

import pytest
import redis

from . import free_port

__all__ = ["RedisServer", "start_redis"]


@dataclass
class RedisServer:
    """One redis-server process; `stop` and `start` again on the same port (an outage)."""

    binary: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def contents(self) -> dict[bytes, bytes]:
        """Every string key and its value, as anyone reading Redis would see them."""
        client = self.client()
        return {key: client.get(key) or b"" for key in client.scan_iter()}


def start_redis() -> RedisServer:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not shutil.which(binary):
        pytest.fail("redis-server is missing: apt-get install redis-server (.ci/run does)")
    server = RedisServer(binary)
    server.start()
    return server
