"""Stateful sessions that a flood of `initialize` requests cannot use up.

The SDK's session manager answers 503 to every new client once its table is full, until
sessions expire: 10,000 initialize requests, under a minute's work for anyone who reaches the
port, locked everyone else out for the 30 minutes of its idle timeout. Here a full table
makes room instead: the session idle the longest is closed, the way its idle timeout would
close it, and the new client gets in. The cost falls on whoever left a session idle; their
next request gets 404 and their client initializes again.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import anyio
from mcp.server.auth.middleware.bearer_auth import AuthorizationContext
from mcp.server.streamable_http import StreamableHTTPServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.routing import Route

from .app import OrdersServer
from .oauth import OAuthGuard
from .options import PATH, HttpOptions

__all__ = ["EvictingSessionManager", "streamable_http_app"]

log = logging.getLogger(__name__)


class EvictingSessionManager(StreamableHTTPSessionManager):
    """The SDK's session manager, except that at `max_sessions` the longest-idle session
    makes room for the new one.

    A session is idle while no request of its own is in flight (an open event stream counts
    as one). Only when every session is busy does a new client get the SDK's 503, and a busy
    session holds a connection, which the connection cap bounds.
    """

    def _admit_session(
        self, requestor: AuthorizationContext | None
    ) -> StreamableHTTPServerTransport | None:
        # Called under the manager's session-creation lock, so the count cannot move meanwhile.
        if self.max_sessions is not None and len(self._server_instances) >= self.max_sessions:
            self._close_longest_idle()
        return super()._admit_session(requestor)

    def _close_longest_idle(self) -> None:
        """Forget the longest-idle session now (its id answers 404 from here on) and end it
        the way its idle timeout would: the SDK's session task then terminates its transport."""
        idle = [
            (transport.idle_scope.deadline, session_id, transport.idle_scope)
            for session_id, transport in self._server_instances.items()
            if transport.idle_scope is not None
            and math.isfinite(transport.idle_scope.deadline)
            and not transport.idle_scope.cancel_called
        ]
        if not idle:
            log.warning(
                "%d sessions open and every one is busy: refusing a new one",
                len(self._server_instances),
            )
            return
        deadline, session_id, scope = min(idle, key=lambda entry: entry[0])
        self._server_instances.pop(session_id, None)
        self._session_owners.pop(session_id, None)
        scope.cancel()
        idle_for = (self.session_idle_timeout or 0) - (deadline - anyio.current_time())
        log.info(
            "%d sessions open: closed the one idle longest (%.0f s) to admit a new client",
            self.max_sessions,
            idle_for,
        )

    async def end_all(self) -> None:
        """End every session as a client's DELETE would: its event stream ends and its id
        answers 404. For a stopping server, once no call is left to answer."""
        for session_id, transport in list(self._server_instances.items()):
            await self._discard_session(session_id, transport)


def streamable_http_app(
    server: OrdersServer,
    options: HttpOptions,
    security: TransportSecuritySettings,
    oauth: OAuthGuard | None = None,
) -> tuple[Starlette, EvictingSessionManager]:
    """The SDK's streamable HTTP app at PATH on our session manager and limits, and the
    manager (a stopping server ends its sessions).

    What `MCPServer.streamable_http_app` builds; with `oauth`, /mcp requires a token and the
    Protected Resource Metadata is served beside it (see `oauth`). The static bearer token
    is checked in front instead (see `http.BearerTokenGuard`).
    """
    manager = EvictingSessionManager(
        app=server.protocol_server,
        json_response=options.stateless,
        stateless=options.stateless,
        security_settings=security,
        max_request_body_size=options.max_body_bytes,
        session_idle_timeout=options.limits.session_idle_seconds,
        max_sessions=options.limits.max_sessions,
    )

    def lifespan(_app: Any) -> Any:
        return manager.run()

    endpoint: Any = StreamableHTTPASGIApp(manager)
    routes = [Route(PATH, endpoint=oauth.protect(endpoint) if oauth else endpoint)]
    if oauth is not None:
        routes += oauth.routes()
    app = Starlette(routes=routes, lifespan=lifespan)
    return app, manager
