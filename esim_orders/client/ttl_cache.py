"""A small LRU map whose entries expire, loading each key once however many ask (single flight)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import anyio

from .shared_cache import SharedTier

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING: Any = object()


@dataclass
class _Flight:
    """One load in progress; callers asking for the same key meanwhile wait for its outcome."""

    done: anyio.Event = field(default_factory=anyio.Event)
    value: Any = _MISSING
    error: BaseException | None = None


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    shared: int = 0  # callers that waited for another caller's load instead of loading


class TtlCache(Generic[K, V]):
    """A small LRU map whose entries expire, with one load per key in flight (single flight).

    `weigh` and `max_weight` bound what it holds by more than the entry count (orders in a
    listing, say); an entry heavier than `max_weight` is simply not kept. `shared` puts a
    Redis tier behind the memory one (`share`), for `get_or_load`.
    """

    def __init__(
        self,
        ttl: float,
        max_entries: int,
        *,
        weigh: Callable[[V], int] | None = None,
        max_weight: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._weigh = weigh
        self._max_weight = max_weight
        self.clock = clock
        self._entries: OrderedDict[K, tuple[float, int, V]] = OrderedDict()
        self._weight = 0
        self._flights: dict[K, _Flight] = {}
        self.stats = CacheStats()
        self.shared: SharedTier[K, V] | None = None

    def share(self, tier: SharedTier[K, V]) -> None:
        """Ask `tier` (Redis) on a memory miss before loading, and write loads kept there."""
        self.shared = tier

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"TtlCache(ttl={self.ttl:g}s, {len(self)} entries, {self.stats})"

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, _, value = entry
        if self.clock() >= expires:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        """Keep `value` for the cache's TTL, or `ttl` seconds when shorter (what an entry
        taken from the shared tier has left)."""
        ttl = self.ttl if ttl is None else min(ttl, self.ttl)
        if ttl <= 0 or self.max_entries <= 0:
            return
        weight = self._weigh(value) if self._weigh else 0
        if self._max_weight is not None and weight > self._max_weight:
            return
        self._drop(key)
        self._entries[key] = (self.clock() + ttl, weight, value)
        self._weight += weight
        while len(self._entries) > self.max_entries or (
            self._max_weight is not None and self._weight > self._max_weight
        ):
            self._drop(next(iter(self._entries)))

    def invalidate(self, key: K | None = None) -> None:
        """Forget `key`, or everything."""
        if key is None:
            self._entries.clear()
            self._weight = 0
        else:
            self._drop(key)

    def _drop(self, key: K) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._weight -= entry[1]

    async def get_or_load(
        self,
        key: K,
        load: Callable[[], Awaitable[V]],
        *,
        fresh: bool = False,
        keep: Callable[[V], bool] | None = None,
    ) -> V:
        """The cached value, or what `load` returns (kept when `keep` says so).

        Concurrent callers of one key share one load and its outcome, error included, so a
        burst of identical calls costs the provider one request. `fresh` skips the cache and
        any load already under way, and replaces the entry with what it gets.
        """
        while True:
            if not fresh:
                value = self.get(key)
                if value is not None:
                    self.stats.hits += 1
                    return value
                flight = self._flights.get(key)
                if flight is not None:
                    self.stats.shared += 1
                    await flight.done.wait()
                    if flight.error is not None:
                        raise flight.error
                    if flight.value is not _MISSING:
                        return flight.value
                    continue  # that load was cancelled: try again
            self.stats.misses += 1
            flight = _Flight()
            self._flights[key] = flight
            try:
                value, ttl = await self._load(key, load, keep, fresh)
                flight.value = value
            except Exception as exc:
                flight.error = exc
                raise
            finally:
                if self._flights.get(key) is flight:
                    del self._flights[key]
                flight.done.set()
            if keep is None or keep(value):
                self.put(key, value, ttl)
            return value

    async def _load(
        self,
        key: K,
        load: Callable[[], Awaitable[V]],
        keep: Callable[[V], bool] | None,
        fresh: bool,
    ) -> tuple[V, float]:
        """What `load` answers, through the shared tier when there is one, and how long it
        may be kept."""
        if self.shared is None:
            return await load(), self.ttl
        return await self.shared.loader(key, load, keep, self.ttl, fresh=fresh)()
