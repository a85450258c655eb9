"""Redis shared by every process of a deployment, or nothing while it is unreachable.

The store never decides anything and never fails a caller silently: each operation is
bounded by a short timeout, and when Redis is down or slow it raises `StoreDown`, on which
the caller carries on with the process's own memory. An outage is logged once, as one
warning; the caches try Redis again after `RETRY_SECONDS`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["KEY_PREFIX", "SharedStore", "StoreDown", "open_store"]

log = logging.getLogger(__name__)

T = TypeVar("T")

KEY_PREFIX = "esim-orders:"
#: One Redis round trip for a cache; past it the process answers from its own memory.
TIMEOUT_SECONDS = 1.0
#: One Redis round trip for a provider token. Longer: giving up costs a token request, which
#: is what Redis is there to spare (PressOne allows a few a minute), and a token is needed
#: once per lifetime, so waiting longer is rare. A fresh process's first connection (its
#: handshake, on a busy machine) must fit in it too.
PATIENT_TIMEOUT_SECONDS = 3.0
#: After a failure the caches leave Redis alone this long, so a dead Redis costs nothing per
#: call; token operations still try it (see `patient`).
RETRY_SECONDS = 5.0

# Deletes KEYS[1] only while it still holds ARGV[1]: a lock released or a token dropped by
# the process that set it, never one another process has set since.
_DELETE_IF_SAME = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class StoreDown(Exception):
    """Redis did not answer in time (or at all); the caller uses its own memory."""


class SharedStore:
    """A few Redis operations, each bounded, each turning an outage into `StoreDown`."""

    def __init__(
        self,
        redis: Redis,
        *,
        timeout: float = TIMEOUT_SECONDS,
        patient_timeout: float = PATIENT_TIMEOUT_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Imported with the first store: a process without Redis never loads the client.
        from redis.exceptions import RedisError

        self._outages = (RedisError, OSError, TimeoutError)
        self.redis = redis
        self.timeout = timeout
        self.patient_timeout = patient_timeout
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._down_until = 0.0
        self._down = False
        self.failures = 0

    def __repr__(self) -> str:
        return f"SharedStore({'down' if self._down else 'up'}, failures={self.failures})"

    @property
    def down(self) -> bool:
        """True while Redis is being left alone after a failure."""
        return self._down and self._clock() < self._down_until

    async def get(self, key: str, *, patient: bool = False) -> bytes | None:
        """The value, None when absent. Every operation takes `patient` (token operations):
        a longer timeout, and Redis is tried even while the caches leave it alone."""
        return await self._run(lambda: self.redis.get(KEY_PREFIX + key), patient)

    async def put(self, key: str, value: bytes, ttl: float, *, patient: bool = False) -> None:
        if ttl > 0:
            await self._run(lambda: self.redis.set(KEY_PREFIX + key, value, px=_ms(ttl)), patient)

    async def claim(self, key: str, value: bytes, ttl: float, *, patient: bool = False) -> bool:
        """Set `key` only when nobody holds it (a lock that expires after `ttl`)."""
        done = await self._run(
            lambda: self.redis.set(KEY_PREFIX + key, value, px=_ms(ttl), nx=True), patient
        )
        return bool(done)

    async def delete_if(self, key: str, value: bytes, *, patient: bool = False) -> None:
        """Delete `key` only while it still holds `value`."""
        await self._run(
            lambda: self.redis.eval(_DELETE_IF_SAME, 1, KEY_PREFIX + key, value), patient
        )

    async def aclose(self) -> None:
        with anyio.move_on_after(self.timeout):
            await self.redis.aclose()

    async def _run(self, operation: Callable[[], Awaitable[T]], patient: bool = False) -> T:
        if self.down and not patient:
            raise StoreDown("redis unavailable")
        try:
            with anyio.fail_after(self.patient_timeout if patient else self.timeout):
                result = await operation()
        except self._outages as exc:
            self._fail(exc)
            raise StoreDown("redis unavailable") from None
        if self._down:
            self._down = False
            log.info("Redis answers again: shared tokens and caches are back in use")
        return result

    def _fail(self, exc: BaseException) -> None:
        self.failures += 1
        self._down_until = self._clock() + self.retry_seconds
        if not self._down:
            self._down = True
            # The exception's class only: a connection error's text may carry the URL.
            log.warning(
                "Redis is unreachable or slow (%s): each process uses its own memory until "
                "it answers again (tool calls go on)",
                exc.__class__.__name__,
            )


def open_store(url: str, **kwargs: Any) -> SharedStore:
    """A store on `url`. Connecting waits for the first operation, so a Redis that is down
    when the process starts costs one warning, not the start."""
    from redis.asyncio import Redis

    redis = Redis.from_url(
        url,
        # Each operation is bounded by `SharedStore`; these only keep a socket from waiting
        # longer than the most patient operation.
        socket_timeout=PATIENT_TIMEOUT_SECONDS,
        socket_connect_timeout=PATIENT_TIMEOUT_SECONDS,
        health_check_interval=30,
    )
    return SharedStore(redis, **kwargs)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))
