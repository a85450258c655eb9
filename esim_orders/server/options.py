"""The HTTP transport's options, read once from the environment: where to listen and who
may ask."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..client.errors import ConfigError

PATH = "/mcp"
MAX_BODY_BYTES = 1_000_000
TOKEN_VARIABLE = "ESIM_ORDERS_HTTP_TOKEN"
HOSTS_VARIABLE = "ESIM_ORDERS_ALLOWED_HOSTS"
MAX_WORKERS = 64
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class HttpOptions:
    """Where to listen and who may ask; `check` refuses what would expose orders to anyone."""

    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = field(default=None, repr=False)
    allowed_hosts: tuple[str, ...] = ()
    max_body_bytes: int = MAX_BODY_BYTES
    #: Processes serving the one port; more than one implies `stateless`.
    workers: int = 1
    #: No sessions: each request stands alone and gets a JSON answer (no event stream).
    stateless: bool = False

    @classmethod
    def from_env(
        cls,
        host: str,
        port: int,
        env: Mapping[str, str] | None = None,
        *,
        workers: int = 1,
        stateless: bool = False,
    ) -> HttpOptions:
        env = os.environ if env is None else env
        options = cls(
            host=host,
            port=port,
            token=env.get(TOKEN_VARIABLE, "").strip() or None,
            allowed_hosts=_host_list(env.get(HOSTS_VARIABLE, "")),
            workers=workers,
            stateless=stateless or workers > 1,
        )
        options.check()
        return options

    def check(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"--port must be between 0 and 65535, not {self.port}")
        if not 1 <= self.workers <= MAX_WORKERS:
            raise ConfigError(f"--workers must be between 1 and {MAX_WORKERS}, not {self.workers}")
        if self.workers > 1 and not self.stateless:
            raise ConfigError("several workers need stateless mode: no process holds a session")
        if not is_loopback(self.host) and not self.token:
            raise ConfigError(
                f"refusing to serve on {self.host} without a token: set {TOKEN_VARIABLE} "
                "(clients then send Authorization: Bearer <token>) or use --host 127.0.0.1"
            )

    @property
    def url(self) -> str:
        """Where a client on this machine connects; a wildcard bind is reached on loopback."""
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}{PATH}"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_list(raw: str) -> tuple[str, ...]:
    hosts = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
    for host in hosts:
        if "/" in host or "@" in host or " " in host:
            raise ConfigError(
                f"{HOSTS_VARIABLE}: {host!r} is not a host name (list names such as "
                "orders.example.com or orders.example.com:8443, without a scheme)"
            )
    return hosts
