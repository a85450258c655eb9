"""The HTTP transport's options, read once from the environment: where to listen, who may
ask, and the limits that keep anyone who reaches the port from crowding out the others."""

from __future__ import annotations

import ipaddress
import math
import os
import resource
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ConfigError
from .oauth_options import ISSUER_VARIABLE, OAuthOptions

PATH = "/mcp"
MAX_BODY_BYTES = 1_000_000
TOKEN_VARIABLE = "ESIM_ORDERS_HTTP_TOKEN"
HOSTS_VARIABLE = "ESIM_ORDERS_ALLOWED_HOSTS"
MAX_WORKERS = 64
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

MAX_SESSIONS_VARIABLE = "ESIM_ORDERS_MAX_SESSIONS"
SESSION_IDLE_VARIABLE = "ESIM_ORDERS_SESSION_IDLE_SECONDS"
HEADER_TIMEOUT_VARIABLE = "ESIM_ORDERS_HEADER_TIMEOUT_SECONDS"
MAX_CONNECTIONS_VARIABLE = "ESIM_ORDERS_MAX_CONNECTIONS"

# A session costs about 40 KB (1,000 opened by bare initialize requests grew the process by
# 37 MB; the SDK's 10,000 would be some 375 MB). At the cap a new session closes the
# longest-idle one, so the cap bounds memory and never locks a new client out.
MAX_SESSIONS = 1_000
# Long enough for the pauses in a conversation (a person reading, a model thinking), short
# enough that abandoned sessions are gone within minutes, not the SDK's 30. A session whose
# client keeps its event stream open is never idle. An expired session's id answers 404,
# on which the protocol has the client start a new session.
SESSION_IDLE_SECONDS = 600.0
# The request line and headers must all arrive within this; a real client sends them at
# once, and a slow mobile link still gets seconds to spare. nginx's client_header_timeout
# is 60 s, but there a connection costs far less than one of our few hundred places.
HEADER_TIMEOUT_SECONDS = 10.0
# Open client connections per process. An MCP client holds one or two (a request, an event
# stream), so this serves hundreds of clients at once. It is at most MAX_SESSIONS: a busy
# session holds a connection and so does the newcomer, so with no more connections than
# sessions a full session table always has an idle session to close for the newcomer.
MAX_CONNECTIONS = 1_000
# Descriptors kept for everything but client connections: the listener, the event loop, the
# provider connection pool (up to 20), stdio, log files, and what imports open for a moment.
RESERVED_FILES = 100


@dataclass(frozen=True)
class HttpLimits:
    """How much of the process clients may hold."""

    #: Open stateful sessions; at the cap a new one closes the longest-idle.
    max_sessions: int = MAX_SESSIONS
    #: A session with no request for this long is closed (its id then answers 404).
    session_idle_seconds: float = SESSION_IDLE_SECONDS
    #: A connection must send a whole request head within this, or it is closed.
    header_timeout_seconds: float = HEADER_TIMEOUT_SECONDS
    #: Open client connections; more wait in the listen queue until one closes.
    max_connections: int = MAX_CONNECTIONS

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, open_files: int | None = None
    ) -> HttpLimits:
        """The limits `env` sets, with the defaults above. The connection cap stays under
        `open_files`, the process's descriptor limit (its RLIMIT_NOFILE when not given):
        past that, accepting fails and the listener stalls for everyone."""
        env = os.environ if env is None else env
        files = open_files_limit() if open_files is None else open_files
        budget = None if files is None else max(1, files - RESERVED_FILES)
        connections = MAX_CONNECTIONS if budget is None else min(MAX_CONNECTIONS, budget)
        limits = cls(
            max_sessions=int(_number(env, MAX_SESSIONS_VARIABLE, MAX_SESSIONS, integer=True)),
            session_idle_seconds=_number(env, SESSION_IDLE_VARIABLE, SESSION_IDLE_SECONDS),
            header_timeout_seconds=_number(env, HEADER_TIMEOUT_VARIABLE, HEADER_TIMEOUT_SECONDS),
            max_connections=int(_number(env, MAX_CONNECTIONS_VARIABLE, connections, integer=True)),
        )
        if budget is not None and limits.max_connections > budget:
            raise ConfigError(
                f"{MAX_CONNECTIONS_VARIABLE}={limits.max_connections} needs more file "
                f"descriptors than this process may open ({files}, of which {RESERVED_FILES} "
                f"are kept for the rest): set it to {budget} or less, or raise the limit "
                "(ulimit -n)"
            )
        return limits

    def describe(self) -> str:
        """One line for the log at start, so an operator sees what is in force."""
        return (
            f"{self.max_connections} connections, request heads within "
            f"{self.header_timeout_seconds:g} s, {self.max_sessions} sessions idle up to "
            f"{self.session_idle_seconds:g} s"
        )


def open_files_limit() -> int | None:
    """This process's soft RLIMIT_NOFILE, the descriptors it may open; None when unlimited."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def _number(env: Mapping[str, str], name: str, default: float, *, integer: bool = False) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = -1
    if not (0 < value < 1e9 and math.isfinite(value)):
        kind = "a whole number" if integer else "a number of seconds"
        raise ConfigError(f"{name} must be {kind} above 0, not {raw!r}")
    return value


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
    limits: HttpLimits = field(default_factory=HttpLimits)
    #: OAuth 2.1 resource server: tokens from this issuer, for this public URL.
    oauth: OAuthOptions | None = None

    @classmethod
    def from_env(
        cls,
        host: str,
        port: int,
        env: Mapping[str, str] | None = None,
        *,
        workers: int = 1,
        stateless: bool = False,
        open_files: int | None = None,
    ) -> HttpOptions:
        env = os.environ if env is None else env
        options = cls(
            host=host,
            port=port,
            token=env.get(TOKEN_VARIABLE, "").strip() or None,
            allowed_hosts=_host_list(env.get(HOSTS_VARIABLE, "")),
            workers=workers,
            stateless=stateless or workers > 1,
            limits=HttpLimits.from_env(env, open_files=open_files),
            oauth=OAuthOptions.from_env(env),
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
        if self.token and self.oauth:
            raise ConfigError(
                f"{TOKEN_VARIABLE} and {ISSUER_VARIABLE} are both set: choose one (a token "
                "every client shares, or OAuth access tokens from the issuer)"
            )
        if not is_loopback(self.host) and not self.token and not self.oauth:
            raise ConfigError(
                f"refusing to serve on {self.host} without a token: set {TOKEN_VARIABLE} "
                "(clients then send Authorization: Bearer <token>) or OAuth "
                f"({ISSUER_VARIABLE} and ESIM_ORDERS_PUBLIC_URL), or use --host 127.0.0.1"
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
