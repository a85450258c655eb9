"""A `TtlCache`'s second tier in Redis: what one process loaded, every process can answer.

The memory tier stays in front (a hit there costs no round trip); on a miss the shared tier
is asked before the provider, and what the provider answers is written to both. Values
cross as bytes through a codec the owner of the cache supplies, sealed when a key is set.
Each entry carries the wall-clock time it expires, so a process that takes it from Redis
keeps it in memory only as long as it has left: an order is never older than the cache's
TTL, however many processes passed it on.
"""

from __future__ import annotations

import contextlib
import struct
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .sealed import Sealer
from .shared_store import SharedStore, StoreDown

__all__ = ["SharedTier"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: The expiry in front of each entry's bytes: seconds since the epoch, a big-endian double.
_EXPIRES = struct.Struct("!d")


@dataclass
class SharedTier(Generic[K, V]):
    """Where one cache's entries live in Redis, and how they are written and read.

    `name` prefixes the keys (`orders:`), `key` turns a cache key into the rest; `encode`
    and `decode` turn a value into bytes and back (`decode` answers None for bytes it cannot
    use, which then count as a miss).
    """

    store: SharedStore
    name: str
    key: Callable[[K], str]
    encode: Callable[[V], bytes]
    decode: Callable[[bytes], V | None]
    sealer: Sealer | None = None
    hits: int = 0
    #: Wall-clock time, shared by every process (a monotonic clock is each process's own).
    clock: Callable[[], float] = field(default=time.time, repr=False)

    async def get(self, key: K) -> tuple[V, float] | None:
        """The value and the seconds it has left, or None (absent, expired, unreadable)."""
        try:
            data = await self.store.get(f"{self.name}:{self.key(key)}")
        except StoreDown:
            return None
        if data is None:
            return None
        if self.sealer is not None:
            data = self.sealer.open(data)
            if data is None:
                return None
        if len(data) < _EXPIRES.size:
            return None
        (expires,) = _EXPIRES.unpack_from(data)
        left = expires - self.clock()
        if not left > 0:  # NaN too
            return None
        value = self.decode(data[_EXPIRES.size :])
        if value is None:
            return None
        self.hits += 1
        return value, left

    async def put(self, key: K, value: V, ttl: float) -> None:
        data = _EXPIRES.pack(self.clock() + ttl) + self.encode(value)
        if self.sealer is not None:
            data = self.sealer.seal(data)
        with contextlib.suppress(StoreDown):
            await self.store.put(f"{self.name}:{self.key(key)}", data, ttl)

    def loader(
        self,
        key: K,
        load: Callable[[], Awaitable[V]],
        keep: Callable[[V], bool] | None,
        ttl: float,
        *,
        fresh: bool,
    ) -> Callable[[], Awaitable[tuple[V, float]]]:
        """`load` with this tier in front (unless `fresh`) and written after (when kept);
        what it answers comes with the seconds it may still be kept."""

        async def shared_load() -> tuple[V, float]:
            if not fresh:
                found = await self.get(key)
                if found is not None:
                    return found
            value = await load()
            if keep is None or keep(value):
                await self.put(key, value, ttl)
            return value, ttl

        return shared_load
