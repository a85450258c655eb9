"""One provider's access token shared through Redis, sealed, with a lock so that one process
of the whole deployment asks the provider for it.

PressOne allows a few token requests a minute for an account; N replicas x M workers, each
with its own token, would spend that on every restart. Here every process reads the one
token; when it is missing or due for refresh, the process that claims the lock fetches it
and the others wait for it to appear. The lock expires (`LOCK_SECONDS`), so a holder killed
mid-fetch is replaced once its lock runs out.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .sealed import Sealer
from .shared_store import SharedStore

__all__ = ["LOCK_SECONDS", "SharedToken", "SharedTokens"]

#: How long a claim to fetch a token holds; a token request that takes longer (its own
#: deadline is 30 s at most with retries) lets a second process fetch too.
LOCK_SECONDS = 15.0
#: How often a process waiting for another's fetch looks again.
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class SharedToken:
    """A token as Redis holds it: the value, when to refresh it, and the sealed bytes read
    (what a compare-and-delete compares)."""

    value: str = field(repr=False)
    refresh_at: float  # wall-clock seconds
    sealed: bytes = field(repr=False)


class SharedTokens:
    """The Redis side of one `TokenCache`: read, claim, write, drop.

    Every method may raise `StoreDown`; the cache then fetches for its process alone.
    """

    def __init__(
        self,
        store: SharedStore,
        sealer: Sealer,
        name: str,
        *,
        lock_seconds: float = LOCK_SECONDS,
        poll_seconds: float = POLL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._sealer = sealer
        self._key = f"token:{name}"
        self._lock_key = f"token-lock:{name}"
        self.lock_seconds = lock_seconds
        self.poll_seconds = poll_seconds
        self.clock = clock

    def __repr__(self) -> str:
        return f"SharedTokens({self._key})"

    @staticmethod
    def name_for(provider: str, token_url: str, client_id: str) -> str:
        """One key per account: deployments sharing a Redis with other credentials do not
        read each other's tokens. Hashed, so the key names no client id."""
        digest = hashlib.sha256(f"{token_url}\n{client_id}".encode()).hexdigest()[:20]
        return f"{provider}:{digest}"

    async def read(self) -> SharedToken | None:
        sealed = await self.store.get(self._key, patient=True)
        if sealed is None:
            return None
        plain = self._sealer.open(sealed)
        if plain is None:
            return None  # another key (rotated), or not ours: fetch and overwrite
        try:
            data = json.loads(plain)
            return SharedToken(str(data["token"]), float(data["refresh_at"]), sealed)
        except (ValueError, KeyError, TypeError):
            return None

    async def write(self, value: str, refresh_in: float, lifetime: float) -> SharedToken:
        refresh_at = self.clock() + refresh_in
        plain = json.dumps({"token": value, "refresh_at": refresh_at}).encode()
        sealed = self._sealer.seal(plain)
        await self.store.put(self._key, sealed, lifetime, patient=True)
        return SharedToken(value, refresh_at, sealed)

    async def claim(self) -> bytes | None:
        """The lock's owner mark when this process may fetch; None while another holds it."""
        owner = secrets.token_hex(16).encode()
        taken = await self.store.claim(self._lock_key, owner, self.lock_seconds, patient=True)
        return owner if taken else None

    async def release(self, owner: bytes) -> None:
        await self.store.delete_if(self._lock_key, owner, patient=True)

    async def drop(self, token: SharedToken) -> None:
        """Forget `token` (the provider refused it), unless another process replaced it."""
        await self.store.delete_if(self._key, token.sealed, patient=True)
