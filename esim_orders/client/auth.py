"""Access tokens: cached, refreshed before expiry, fetched once under concurrency (and once
for every process of a deployment when they share Redis, see `shared_tokens`)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio

from ..redact import held_secrets
from .shared_store import StoreDown
from .shared_tokens import SharedToken, SharedTokens

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
      the caller used, so a burst of 401s on the same stale token triggers one refresh;
    - shared (`share`): the token lives in Redis for every process, and one process of
      the deployment fetches it under a lock. Redis down: this process fetches its own.
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
        self._shared: SharedTokens | None = None
        self._held: SharedToken | None = None
        self.fetches = 0

    def share(self, shared: SharedTokens) -> None:
        """Keep the token in Redis (sealed) for every process; see `shared_tokens`."""
        self._shared = shared

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
            if self._shared is not None:
                try:
                    return await self._get_shared(self._shared)
                except StoreDown:
                    pass  # the store logged it once; this process fetches its own
            return self._keep(await self._fetch_new())

    async def _fetch_new(self) -> tuple[str, float, float]:
        """A new token from the provider: its value, seconds to refresh, seconds to expiry."""
        fresh = await self._fetch()
        held_secrets.add(fresh.value, token=True)
        self.fetches += 1
        ttl = fresh.expires_in if fresh.expires_in and fresh.expires_in > 0 else None
        ttl = ttl or self._default_ttl
        # Refresh ahead by 10% of the lifetime, at most a minute and at least a second.
        margin = min(60.0, max(1.0, ttl * 0.1))
        return fresh.value, max(ttl - margin, ttl / 2), ttl

    def _keep(self, fetched: tuple[str, float, float]) -> str:
        value, refresh_in, _ = fetched
        self._token = value
        self._refresh_at = self._clock() + refresh_in
        log.debug("new access token, refresh in %.0fs", refresh_in)
        return value

    async def _get_shared(self, shared: SharedTokens) -> str:
        """The deployment's token: read it, or claim the lock and fetch it, or wait for the
        process that holds the lock (until it writes the token or its lock expires)."""
        while True:
            stored = await shared.read()
            if stored is not None and stored.refresh_at > shared.clock():
                return self._adopt(shared, stored)
            owner = await shared.claim()
            if owner is None:
                await anyio.sleep(shared.poll_seconds)
                continue
            try:
                # Another process may have written it between our read and our claim.
                stored = await shared.read()
                if stored is not None and stored.refresh_at > shared.clock():
                    return self._adopt(shared, stored)
                value, refresh_in, lifetime = fetched = await self._fetch_new()
                try:
                    self._held = await shared.write(value, refresh_in, lifetime)
                except StoreDown:
                    self._held = None
                return self._keep(fetched)
            finally:
                # Shielded: a cancelled fetch still frees the lock (else it expires on its own).
                with anyio.CancelScope(shield=True), contextlib.suppress(StoreDown):
                    await shared.release(owner)

    def _adopt(self, shared: SharedTokens, stored: SharedToken) -> str:
        held_secrets.add(stored.value, token=True)
        self._held = stored
        self._token = stored.value
        self._refresh_at = self._clock() + (stored.refresh_at - shared.clock())
        return stored.value

    async def discard(self, token: str) -> None:
        """`invalidate`, and the shared copy too when it is still that token."""
        held = self._held
        self.invalidate(token)
        if self._shared is not None and held is not None and held.value == token:
            self._held = None
            with contextlib.suppress(StoreDown):
                await self._shared.drop(held)

    def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token = None

    def _current(self) -> str | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None
