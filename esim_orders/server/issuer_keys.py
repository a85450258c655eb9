"""The authorization server's signing keys: its metadata discovered once, its JWKS cached and
fetched again when a token names a key we do not hold (the issuer rotated), at most once a
minute, so a flood of tokens with made-up key ids costs the issuer nothing."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKError, PyJWKSetError, PyJWTError

from ..client.transport import default_http_client

__all__ = ["IssuerKeys", "discovery_urls"]

log = logging.getLogger(__name__)

#: A key set is fetched again for an unknown key id no sooner than this after the last fetch.
REFETCH_SECONDS = 60.0
#: After a failed fetch (issuer down) the next try waits only this long.
RETRY_SECONDS = 5.0
FETCH_TIMEOUT_SECONDS = 5.0
MAX_DOCUMENT_BYTES = 512 * 1024


def discovery_urls(issuer: str) -> list[str]:
    """Where the issuer's metadata may be: RFC 8414 (`/.well-known/oauth-authorization-server`
    inserted before the issuer's path), then OpenID Connect Discovery (appended, as Keycloak,
    Auth0 and Entra ID serve it), then RFC 8414's form of the OpenID one."""
    parts = urlsplit(issuer.rstrip("/"))
    origin, path = f"{parts.scheme}://{parts.netloc}", parts.path
    urls = [
        f"{origin}/.well-known/oauth-authorization-server{path}",
        f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        f"{origin}/.well-known/openid-configuration{path}",
    ]
    return list(dict.fromkeys(urls))


class IssuerKeys:
    """The keys tokens from `issuer` are signed with; `issuer_names` as its metadata says."""

    def __init__(
        self,
        issuer: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.issuer = issuer
        self._clock = clock
        self._transport = transport
        self._lock = anyio.Lock()
        self._jwks_uri: str | None = None
        self._metadata_issuer: str | None = None
        self._keys: dict[str | None, PyJWK] = {}
        self._verifiers: dict[tuple[str | None, str], PyJWK] = {}
        self._next_fetch = 0.0
        self.fetches = 0

    def __repr__(self) -> str:
        return f"IssuerKeys({self.issuer}, {len(self._keys)} keys, fetches={self.fetches})"

    @property
    def issuer_names(self) -> list[str]:
        """The issuer as configured and as its metadata spells it (a trailing slash, say)."""
        names = [self.issuer]
        if self._metadata_issuer and self._metadata_issuer not in names:
            names.append(self._metadata_issuer)
        return names

    async def key_for(self, kid: str | None, algorithm: str) -> PyJWK | None:
        """The key that signed a token with this header, or None (unknown even after a fetch
        the rate limit allowed)."""
        key = self._find(kid, algorithm)
        if key is not None:
            return key
        async with self._lock:
            key = self._find(kid, algorithm)
            if key is None and self._clock() >= self._next_fetch:
                await self._fetch()
                key = self._find(kid, algorithm)
        return key

    def _find(self, kid: str | None, algorithm: str) -> PyJWK | None:
        found = self._verifiers.get((kid, algorithm))
        if found is not None:
            return found
        if kid is not None:
            fitting = [self._keys[kid]] if kid in self._keys else []
        else:
            # No key id: acceptable only when exactly one key could have signed it.
            fitting = [key for key in self._keys.values() if _fits(key, algorithm)]
        if len(fitting) != 1 or not _fits(fitting[0], algorithm):
            return None
        # The key as a verifier for the token's algorithm (an RSA key without `alg` serves
        # RS256 and PS256 alike); kept, as building one costs more than a verification.
        try:
            found = PyJWK(fitting[0]._jwk_data, algorithm)
        except PyJWTError:
            return None
        self._verifiers[(kid, algorithm)] = found
        return found

    async def _fetch(self) -> None:
        self.fetches += 1
        self._next_fetch = self._clock() + RETRY_SECONDS
        try:
            # The package's one kind of HTTP client: behind the read-only guard (GETs only).
            async with default_http_client(
                self._transport, (), timeout=FETCH_TIMEOUT_SECONDS
            ) as http:
                if self._jwks_uri is None:
                    await self._discover(http)
                assert self._jwks_uri is not None
                document = await _get_json(http, self._jwks_uri)
            keys = PyJWKSet.from_dict(document).keys
        except (httpx2.HTTPError, ValueError, PyJWKError, PyJWKSetError) as exc:
            log.warning(
                "cannot read the signing keys of %s (%s); tokens it signed with a new key "
                "are refused until it answers",
                self.issuer,
                exc.__class__.__name__,
            )
            return
        self._keys = {key.key_id: key for key in keys if key.public_key_use in (None, "sig")}
        self._verifiers = {}
        self._next_fetch = self._clock() + REFETCH_SECONDS
        log.info("signing keys of %s: %d", self.issuer, len(self._keys))

    async def _discover(self, http: httpx2.AsyncClient) -> None:
        for url in discovery_urls(self.issuer):
            try:
                metadata = await _get_json(http, url)
            except ValueError:
                continue
            named = metadata.get("issuer")
            jwks_uri = metadata.get("jwks_uri")
            if not isinstance(jwks_uri, str) or not isinstance(named, str):
                continue
            if named.rstrip("/") != self.issuer.rstrip("/"):
                raise ValueError(f"{url} names another issuer")
            self._jwks_uri, self._metadata_issuer = jwks_uri, named
            return
        raise ValueError("no authorization server metadata with a jwks_uri")


def _fits(key: PyJWK, algorithm: str) -> bool:
    """The key's type can verify `algorithm`, and its own `alg`, if it states one, is that."""
    declared = key._jwk_data.get("alg")
    if declared is not None and declared != algorithm:
        return False
    family = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}.get(algorithm[:2])
    return family is not None and key.key_type == family


async def _get_json(http: httpx2.AsyncClient, url: str) -> dict[str, Any]:
    response = await http.get(url, headers={"Accept": "application/json"})
    if response.status_code != 200:
        raise ValueError(f"HTTP {response.status_code}")
    if len(response.content) > MAX_DOCUMENT_BYTES:
        raise ValueError("document too large")
    document = json.loads(response.content)
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document
