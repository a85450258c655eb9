"""A `TtlCache`'s second tier in Redis: what one process loaded, every process can answer.

The memory tier stays in front (a hit there costs no round trip); on a miss the shared tier
is asked before the provider, and what the provider answers is written to both. Values
cross as bytes through a codec the owner of the cache supplies, sealed when a key is set.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .sealed import Sealer
from .shared_store import SharedStore, StoreDown

__all__ = ["SharedTier"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


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

    async def get(self, key: K) -> V | None:
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
        value = self.decode(data)
        if value is not None:
            self.hits += 1
        return value

    async def put(self, key: K, value: V, ttl: float) -> None:
        data = self.encode(value)
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
    ) -> Callable[[], Awaitable[V]]:
        """`load` with this tier in front (unless `fresh`) and written after (when kept)."""

        async def shared_load() -> V:
            if not fresh:
                value = await self.get(key)
                if value is not None:
                    return value
            value = await load()
            if keep is None or keep(value):
                await self.put(key, value, ttl)
            return value

        return shared_load
