"""The OAuth 2.1 resource server around /mcp, built from the SDK's own parts: `AuthSettings`,
its bearer backend and `RequireAuthMiddleware`, and its Protected Resource Metadata route.

- `/.well-known/oauth-protected-resource/mcp` (RFC 9728) names the issuer and the scopes;
- a request without a valid token for this server gets 401 with
  `WWW-Authenticate: Bearer resource_metadata="…", scope="orders:read"`, which is how an MCP
  client finds where to get one; a token without `orders:read` gets 403 insufficient_scope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx2
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
from mcp.server.auth.settings import AuthSettings
from pydantic import AnyHttpUrl
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import Route
from starlette.types import ASGIApp, Send

from .oauth_options import READ_SCOPE, SCOPES, OAuthOptions
from .options import PATH

if TYPE_CHECKING:
    from .verifier import JwtVerifier

__all__ = ["OAuthGuard", "ScopedRequireAuth"]


class ScopedRequireAuth(RequireAuthMiddleware):
    """The SDK's `RequireAuthMiddleware`, whose challenge also names the scope to ask for
    (MCP authorization: `scope` in `WWW-Authenticate` guides the client's request)."""

    async def _send_auth_error(
        self, send: Send, status_code: int, error: str, description: str
    ) -> None:
        parts = [f'error="{error}"', f'error_description="{description}"']
        if self.resource_metadata_url:
            parts.append(f'resource_metadata="{self.resource_metadata_url}"')
        parts.append(f'scope="{" ".join(self.required_scopes)}"')
        body = json.dumps({"error": error, "error_description": description}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status_code,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", f"Bearer {', '.join(parts)}".encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


@dataclass(frozen=True)
class OAuthGuard:
    """What OAuth adds to the HTTP app: a guard on /mcp, the metadata routes, and the
    authentication middleware that reads every request's bearer token."""

    settings: AuthSettings
    verifier: JwtVerifier

    @classmethod
    def build(
        cls, options: OAuthOptions, *, transport: httpx2.AsyncBaseTransport | None = None
    ) -> OAuthGuard:
        # Strings, so that AuthSettings keeps them as written (no slash added to a bare
        # origin): clients compare the issuer exactly (RFC 8414).
        settings = AuthSettings.model_validate(
            {
                "issuer_url": options.issuer,
                "resource_server_url": options.resource,
                "required_scopes": [READ_SCOPE],
                # The verifier checks the audience itself (several spellings of the one URL).
                "validate_token_resource": False,
            }
        )
        # The JOSE library is loaded by servers that verify tokens, not by every start.
        from .issuer_keys import IssuerKeys
        from .verifier import JwtVerifier

        keys = IssuerKeys(options.issuer, transport=transport)
        return cls(settings, JwtVerifier(keys, options.resource))

    @property
    def metadata_url(self) -> AnyHttpUrl:
        assert self.settings.resource_server_url is not None
        return build_resource_metadata_url(self.settings.resource_server_url)

    def protect(self, endpoint: ASGIApp) -> ASGIApp:
        return ScopedRequireAuth(endpoint, self.settings.required_scopes or [], self.metadata_url)

    def routes(self) -> list[Route]:
        """RFC 9728 metadata at the path the public URL implies and, when a proxy mounts
        this server under another path, at the one for /mcp as it is served here."""
        assert self.settings.resource_server_url is not None
        routes = create_protected_resource_routes(
            self.settings.resource_server_url,
            [self.settings.issuer_url],
            scopes_supported=list(SCOPES),
            resource_name="eSIM orders",
        )
        served = f"/.well-known/oauth-protected-resource{PATH}"
        if urlsplit(str(self.metadata_url)).path != served:
            routes.append(Route(served, routes[0].endpoint, methods=["GET", "OPTIONS"]))
        return routes

    def authenticate(self, app: ASGIApp) -> ASGIApp:
        """Every request's bearer token read (not yet required: `protect` does that) and
        the caller put where the tools find it."""
        return AuthenticationMiddleware(
            AuthContextMiddleware(app), backend=BearerAuthBackend(self.verifier)
        )
