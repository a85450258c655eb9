"""Access tokens: cached, refreshed before expiry, fetched once under concurrency."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio

from ..redact import held_secrets

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_in: float | None

    def __str__(self) -> str:
        return "AccessToken(***)"


class TokenCache:
    """Holds one provider's token. Providers rate-limit token requests, so we ask rarely.

    - single flight: concurrent callers on a cold or stale cache wait for one fetch;
    - refresh ahead: a token is replaced a margin before it expires;
    - compare-and-clear: `invalidate(token)` drops the token only if it is still the one
      the caller used, so a burst of 401s on the same stale token triggers one refresh.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[AccessToken]],
        *,
        default_ttl: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._default_ttl = default_ttl
        self._clock = clock
        self._lock = anyio.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self.fetches = 0

    def __repr__(self) -> str:
        state = "cold" if self._token is None else "warm"
        return f"TokenCache({state}, fetches={self.fetches})"

    async def get(self) -> str:
        token = self._current()
        if token is not None:
            return token
        async with self._lock:
            token = self._current()
            if token is not None:
                return token
            fresh = await self._fetch()
            held_secrets.add(fresh.value, token=True)
            self.fetches += 1
            ttl = fresh.expires_in if fresh.expires_in and fresh.expires_in > 0 else None
            ttl = ttl or self._default_ttl
            # Refresh ahead by 10% of the lifetime, at most a minute and at least a second.
            margin = min(60.0, max(1.0, ttl * 0.1))
            self._token = fresh.value
            self._refresh_at = self._clock() + max(ttl - margin, ttl / 2)
            log.debug("new access token, refresh in %.0fs", self._refresh_at - self._clock())
            return fresh.value

    def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token = None

    def _current(self) -> str | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None
