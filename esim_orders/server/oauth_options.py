"""OAuth 2.1 resource-server settings, read once from the environment: which authorization
server issues our tokens, and the public URL they must be issued for (their audience)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import ConfigError

__all__ = [
    "ISSUER_VARIABLE",
    "PERSONAL_SCOPE",
    "PUBLIC_URL_VARIABLE",
    "READ_SCOPE",
    "SCOPES",
    "OAuthOptions",
]

ISSUER_VARIABLE = "ESIM_ORDERS_AUTH_ISSUER"
PUBLIC_URL_VARIABLE = "ESIM_ORDERS_PUBLIC_URL"
#: Every tool needs it.
READ_SCOPE = "orders:read"
#: Customers' names, e-mails and phones, for the caller holding it (and only where the
#: process reads them at all: ESIM_ORDERS_PERSONAL_DATA=1).
PERSONAL_SCOPE = "orders:personal"
SCOPES = (READ_SCOPE, PERSONAL_SCOPE)


@dataclass(frozen=True)
class OAuthOptions:
    """`issuer`: the authorization server's issuer URL (its metadata is discovered from it);
    `resource`: this server's public MCP URL, the audience every token must carry."""

    issuer: str
    resource: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OAuthOptions | None:
        issuer = env.get(ISSUER_VARIABLE, "").strip()
        resource = env.get(PUBLIC_URL_VARIABLE, "").strip()
        if not issuer and not resource:
            return None
        if not issuer or not resource:
            given, missing = (
                (ISSUER_VARIABLE, PUBLIC_URL_VARIABLE)
                if issuer
                else (PUBLIC_URL_VARIABLE, ISSUER_VARIABLE)
            )
            raise ConfigError(
                f"{given} is set but {missing} is not: OAuth needs both (the issuer of the "
                "tokens, and this server's public MCP URL they are issued for)"
            )
        _check_url(ISSUER_VARIABLE, issuer, "https://login.example.com/realms/support")
        _check_url(PUBLIC_URL_VARIABLE, resource, "https://orders.example.com/mcp")
        return cls(issuer=issuer, resource=resource)


def _check_url(name: str, url: str, example: str) -> None:
    """An absolute http(s) URL without query or fragment; plain http on loopback only (tests,
    a local issuer), since a token or a key set fetched in clear can be forged on the way."""
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
        or (parts.scheme == "http" and not loopback)
    ):
        raise ConfigError(f"{name} must be an https URL such as {example}, not {url!r}")
