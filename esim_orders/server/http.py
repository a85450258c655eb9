"""Streamable HTTP at /mcp, and its guards: Host checks, a bearer token, a body cap.

Stateful by default (one process, sessions in memory). Stateless (`--stateless`, implied by
`--workers N`): every request stands alone and answers plain JSON, so any process behind a
load balancer can take any request; see `run.py` for the workers.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import math
import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace

import anyio
import uvicorn
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ConfigError
from ..redact import held_secrets
from .app import OrdersServer
from .connections import ConnectionGate, header_timeout_protocol
from .oauth import OAuthGuard
from .options import LOOPBACK_HOSTS, TOKEN_VARIABLE, HttpOptions, is_loopback
from .sessions import EvictingSessionManager, streamable_http_app
from .shutdown import HttpStop, InFlightRequests, backstop_seconds
from .signals import run_until_signal

__all__ = [
    "HttpApp",
    "HttpOptions",
    "build_http_app",
    "http_app",
    "is_loopback",
    "serve_http",
    "transport_security",
]

log = logging.getLogger(__name__)

# Which worker process answered, for operators and the tests that prove requests spread.
WORKER_HEADER = "x-esim-orders-worker"
LISTEN_BACKLOG = 2048


def transport_security(options: HttpOptions) -> TransportSecuritySettings:
    """DNS-rebinding protection: loopback names always, then the configured host names.

    An address the server was told to bind (not a wildcard) is accepted too: a Host header
    that is an IP literal is not the rebinding attack, which needs the attacker's own name.
    """
    names = [*LOOPBACK_HOSTS, *options.allowed_hosts]
    bound = options.host.lower()
    if bound not in ("", "0.0.0.0", "::") and not is_loopback(bound):
        names.append(f"[{bound}]" if ":" in bound and not bound.startswith("[") else bound)
    hosts: list[str] = []
    origins: list[str] = []
    for name in names:
        with_port = _has_port(name)
        hosts += [name] if with_port else [name, f"{name}:*"]
        for scheme in ("http", "https"):
            base = f"{scheme}://{name}"
            origins += [base] if with_port else [base, f"{base}:*"]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def _has_port(name: str) -> bool:
    return ":" in name.rpartition("]")[2]


# An idle kept-alive connection stays open this long. Longer than clients keep one (httpx:
# 5 s) so that the client, not the server, closes it: at uvicorn's default of 5 s the two
# race, and a request sent on a connection the server is closing fails (seen under load).
KEEP_ALIVE_SECONDS = 30


class BearerTokenGuard:
    """ASGI middleware: every HTTP request needs `Authorization: Bearer <token>`, or gets 401.

    Both sides are hashed before the constant-time comparison, so neither the token's bytes
    nor its length can be learnt from response times.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._digest = _digest(token)
        held_secrets.add(token)  # a provider or a library repeating it is scrubbed too

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._authorized(Headers(scope=scope)):
            response = JSONResponse(
                {
                    "error": "invalid_token",
                    "error_description": f"send Authorization: Bearer <{TOKEN_VARIABLE}>",
                },
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="esim-orders"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _authorized(self, headers: Headers) -> bool:
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(_digest(credentials.strip()), self._digest)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class WorkerLabel:
    """ASGI middleware: names the worker process on every HTTP answer (`x-esim-orders-worker`).

    A number from 1 to N, not a PID: enough to see that a load balancer spreads requests.
    """

    def __init__(self, app: ASGIApp, label: str) -> None:
        self.app = app
        self._header = (WORKER_HEADER.encode(), label.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def labelled(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), self._header]}
            await send(message)

        await self.app(scope, receive, labelled)


@dataclass(frozen=True)
class HttpApp:
    """The ASGI app, and the parts of it a stopping server waits on."""

    app: ASGIApp
    requests: InFlightRequests
    sessions: EvictingSessionManager


def build_http_app(
    server: OrdersServer,
    options: HttpOptions,
    *,
    worker: int | None = None,
    oauth: OAuthGuard | None = None,
) -> HttpApp:
    """The SDK's streamable HTTP transport (its Host/Origin checks and body cap configured
    here, sessions on our manager), behind the token guard when a token is set, or as an
    OAuth resource server when `options.oauth` is (`oauth` replaces the guard it builds).

    Stateless mode keeps no session between requests and answers JSON rather than an event
    stream: nothing for a load balancer to pin, nothing held open. `worker` labels answers.
    """
    if oauth is None and options.oauth is not None:
        oauth = OAuthGuard.build(options.oauth)
    streamable, sessions = streamable_http_app(server, options, transport_security(options), oauth)
    requests = InFlightRequests(streamable)
    app: ASGIApp = requests
    if worker is not None:
        app = WorkerLabel(app, str(worker))
    if options.token:
        app = BearerTokenGuard(app, options.token)
    if oauth is not None:
        app = oauth.authenticate(app)
    return HttpApp(app, requests, sessions)


def http_app(server: OrdersServer, options: HttpOptions, *, worker: int | None = None) -> ASGIApp:
    """The ASGI app of `build_http_app`, on its own."""
    return build_http_app(server, options, worker=worker).app


class _Uvicorn(uvicorn.Server):
    """uvicorn without its own signal handlers: `run_until_signal` owns SIGINT and SIGTERM,
    so both transports stop the same way and the process exits normally, not by re-raising."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_http(
    server: OrdersServer,
    options: HttpOptions,
    *,
    listener: socket.socket | None = None,
    worker: int | None = None,
) -> None:
    """Listen, say where on stderr, serve until a signal; the first one drains (see
    `shutdown`), a second cuts.

    A worker gets its `listener` from the supervisor, which says where instead; the worker
    logs that it is ready.
    """
    announce = listener is None
    listener = listener or listen(options)
    options = replace(options, port=listener.getsockname()[1])
    built = build_http_app(server, options, worker=worker)
    config = uvicorn.Config(
        built.app,
        http=header_timeout_protocol(options.limits.header_timeout_seconds),
        lifespan="on",
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        # A backstop only: the stop sequence is done well before it.
        timeout_graceful_shutdown=math.ceil(backstop_seconds(server.drain.grace)),
    )
    uv = _Uvicorn(config)
    # uvicorn gets no listener: the gate accepts, and stops at the connection cap.
    gate = ConnectionGate(listener, uv, options.limits.max_connections)
    stop = HttpStop(uv, gate, server.drain, built.requests, built.sessions)

    async def serve() -> None:
        # Said once the signal handlers are in place: whoever reads this line may stop us.
        if announce:
            print(f"esim-orders: {serving_line(options)}", file=sys.stderr, flush=True)
        else:
            log.info("worker %s (pid %d) serving %s", worker, os.getpid(), options.url)
        log.info("limits: %s", options.limits.describe())
        async with anyio.create_task_group() as group:
            group.start_soon(gate.serve)
            group.start_soon(stop.run)
            await uv.serve(sockets=[])
            gate.close()
            group.cancel_scope.cancel()

    await run_until_signal(serve, on_signal=stop.signal)


def serving_line(options: HttpOptions) -> str:
    """`serving MCP at <url>`, and what a client should know about how."""
    where = "" if is_loopback(options.host) else f" (listening on {options.host})"
    guard = "; bearer token required" if options.token else ""
    if options.oauth is not None:
        guard = f" (OAuth access tokens from {options.oauth.issuer} required)"
    if options.workers > 1:
        mode = f" ({options.workers} workers, stateless)"
    else:
        mode = " (stateless)" if options.stateless else ""
    return f"serving MCP at {options.url}{mode}{where}{guard}"


def listen(
    options: HttpOptions, *, reuse_port: bool = False, listening: bool = True
) -> socket.socket:
    """A listening socket, bound before serving so that --port 0 can report its real port."""
    try:
        return tcp_listener(options.host, options.port, reuse_port=reuse_port, listening=listening)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}"
        ) from None


def tcp_listener(
    host: str, port: int, *, reuse_port: bool = False, listening: bool = True
) -> socket.socket:
    """A TCP socket bound to `host:port`, listening unless told otherwise.

    Made with `IPPROTO_TCP` named, not by `socket.create_server` (protocol 0): asyncio turns
    Nagle's algorithm off only on connections whose socket says TCP, and without that every
    answer written in two parts waited for the client's delayed ACK, 40 ms a request on
    Linux. TCP_NODELAY on the listener too, which accepted sockets inherit.
    """
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name == "posix":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6 and hasattr(socket, "IPV6_V6ONLY"):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        if listening:
            sock.listen(LISTEN_BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock
