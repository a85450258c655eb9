"""Access tokens checked as JWTs (RFC 9068): signed by the issuer's key, issued by it, for
this server, in their lifetime; the `TokenVerifier` the SDK's bearer middleware calls."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Any

import jwt
from mcp.server.auth.provider import AccessToken, TokenVerifier

from .issuer_keys import IssuerKeys

__all__ = ["ALGORITHMS", "LEEWAY_SECONDS", "JwtVerifier", "scopes_of"]

log = logging.getLogger(__name__)

#: Asymmetric algorithms only: `none` and the HMAC family (a shared secret the issuer's
#: public key set would stand in for) are refused before any key is looked up.
ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
#: Clock skew tolerated on `exp`, `nbf` and `iat` between the issuer and this server.
LEEWAY_SECONDS = 30
MAX_TOKEN_BYTES = 16 * 1024
#: Tokens verified lately, kept until they expire: a client sends one token for its whole
#: lifetime, and checking its signature again on every request would cost each tool call.
MAX_REMEMBERED = 1024


class JwtVerifier(TokenVerifier):
    """Verifies bearer tokens for `audience` (the server's public URL) from `keys`' issuer.

    A refused token is None (the middleware answers 401), logged at DEBUG with the reason
    only: never the token, which a log reader could replay.
    """

    def __init__(self, keys: IssuerKeys, audience: str) -> None:
        self.keys = keys
        self.audience = audience
        # The audience as the token may spell it: with or without a trailing slash.
        self._audiences = list(dict.fromkeys([audience, audience.rstrip("/"), audience + "/"]))
        self._verified: OrderedDict[str, AccessToken] = OrderedDict()

    async def verify_token(self, token: str) -> AccessToken | None:
        if len(token) > MAX_TOKEN_BYTES:
            return None
        known = self._verified.get(token)
        if known is not None:
            if known.expires_at is not None and known.expires_at >= time.time():
                self._verified.move_to_end(token)
                return known
            del self._verified[token]
        verified = await self._verify(token)
        if verified is not None:
            self._verified[token] = verified
            if len(self._verified) > MAX_REMEMBERED:
                self._verified.popitem(last=False)
        return verified

    async def _verify(self, token: str) -> AccessToken | None:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return _refused("not a JWT")
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in ALGORITHMS:
            return _refused("algorithm not allowed")
        kid = header.get("kid")
        key = await self.keys.key_for(kid if isinstance(kid, str) else None, algorithm)
        if key is None:
            return _refused("unknown signing key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self._audiences,
                issuer=self.keys.issuer_names,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            return _refused(exc.__class__.__name__)
        return AccessToken(
            token=token,
            client_id=_client_id(claims),
            scopes=scopes_of(claims),
            # The SDK's middleware compares this with its clock again, without leeway.
            expires_at=int(claims["exp"]) + LEEWAY_SECONDS,
            resource=self.audience,
            subject=_text(claims.get("sub")),
            claims={"iss": claims["iss"]},
        )


def scopes_of(claims: dict[str, Any]) -> list[str]:
    """`scope` as a space-separated string (RFC 9068, Keycloak, Auth0), or `scp` as a list
    (Okta) or a string (Entra ID)."""
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list):
            return [item for item in value if isinstance(item, str)]
    return []


def _client_id(claims: dict[str, Any]) -> str:
    """RFC 9068's `client_id`, else `azp` (OpenID Connect, Keycloak) or `appid` (Entra v1)."""
    for name in ("client_id", "azp", "appid"):
        value = _text(claims.get(name))
        if value:
            return value
    return "-"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _refused(reason: str) -> None:
    log.debug("bearer token refused: %s", reason)
