"""What every provider's eSIM reads share: a per-eSIM cache with single flight, and the
provider's per-eSIM rate limit honoured without failing the answer.

The providers cache usage themselves (PressOne's upstream for 20 minutes) and allow about ten
requests a minute per ICCID, so asking more often gains nothing and risks a 429. Each fact of
each eSIM (its record, usage, packages) is kept `ESIM_TTL` seconds and loaded once however
many ask at the same time (`TtlCache.get_or_load`). A 429 sets a back-off for that fact of
that eSIM until its `Retry-After`: no request goes out for it until then, and the fact comes
back as `Unread` saying when to try again, while the rest of the answer stands.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..errors import AuthenticationError, PermissionDenied, ProviderError
from ..esim_models import Fact, Unread
from .transport import BodyReader, Gateway, RawResponse, parse_retry_after
from .ttl_cache import TtlCache

__all__ = ["ESIM_TTL", "RATE_LIMITED", "EsimReadCache", "EsimReader", "Get", "Stream"]

log = logging.getLogger(__name__)

#: Seconds one eSIM's usage, packages and record are answered from memory (at least 5 min).
ESIM_TTL = 300.0
MAX_KEPT_FACTS = 4096
#: Back-off when a 429 comes without a usable `Retry-After`: the provider's window.
DEFAULT_BACKOFF = 60.0
#: Statuses an eSIM read takes back from the retry loop to honour here.
RATE_LIMITED = frozenset({429})

T = TypeVar("T")
#: A provider client's authenticated GET (`ProviderClient._get`), and its streamed GET
#: (`ProviderClient._get_streamed`) for account-wide arrays read a row at a time.
Get = Callable[..., Awaitable[RawResponse]]
Stream = Callable[[str, BodyReader], Awaitable[RawResponse]]


class EsimReadCache:
    """One provider client's eSIM facts, by (fact, eSIM key)."""

    def __init__(
        self,
        provider: str,
        ttl: float = ESIM_TTL,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.clock = clock
        self.facts: TtlCache[tuple[str, str], Any] = TtlCache(ttl, MAX_KEPT_FACTS, clock=clock)
        self._backoff: dict[tuple[str, str], float] = {}

    async def read(
        self,
        fact: Fact,
        key: str,
        fetch: Callable[[], Awaitable[RawResponse]],
        parse: Callable[[RawResponse], T],
    ) -> T | Unread:
        """The fact of eSIM `key`: from memory, from one shared request, or `Unread`.

        `fetch` sends the request (with `RATE_LIMITED` given back, unretried); `parse` reads
        the answer, raising the typed error for a status it does not expect. A provider
        error other than a credentials or access refusal becomes `Unread` too: one eSIM fact
        missing must not fail a diagnosis that can be made without it.
        """
        slot = (fact, key)
        until = self._backoff.get(slot)
        if until is not None:
            left = until - self.clock()
            if left > 0:
                return self._limited(fact, left)
            del self._backoff[slot]

        async def load() -> T | Unread:
            try:
                response = await fetch()
                if response.status in RATE_LIMITED:
                    wait = parse_retry_after(response.headers.get("retry-after"))
                    wait = DEFAULT_BACKOFF if wait is None else max(wait, 1.0)
                    self._backoff[slot] = self.clock() + wait
                    log.info("%s: %s of an eSIM rate-limited for %.0fs", self.provider, fact, wait)
                    return self._limited(fact, wait)
                return parse(response)
            except (AuthenticationError, PermissionDenied):
                raise
            except ProviderError as exc:
                log.info("%s: %s of an eSIM not read: %s", self.provider, fact, exc)
                retry_after = getattr(exc, "retry_after", None)
                return Unread(fact=fact, reason=_reason(exc), retry_after_seconds=retry_after)

        return await self.facts.get_or_load(
            slot, load, keep=lambda value: not isinstance(value, Unread)
        )

    def _limited(self, fact: Fact, seconds: float) -> Unread:
        """When to ask again is said in seconds: the service turns it into a time on its own
        clock (`service.esims.stamped`), the one its answers are checked at."""
        return Unread(
            fact=fact, reason="provider rate limit for this eSIM", retry_after_seconds=seconds
        )


def _reason(exc: ProviderError) -> str:
    """A short reason with no provider text in it beyond the error's cleaned message."""
    status = f"HTTP {exc.status}: " if exc.status else ""
    return f"{status}{exc.provider_message}"[:160]


class EsimReader:
    """One provider's eSIM reads, beside its client: the client's base URL, authenticated GET
    and gateway, and a per-eSIM cache of its own. A provider's subclass knows its endpoints."""

    provider: str

    def __init__(
        self,
        base_url: str,
        get: Get,
        gateway: Gateway,
        personal_data: bool,
        stream: Stream | None = None,
    ) -> None:
        self.base_url = base_url
        self._get = get
        self._streamed = stream
        self.gateway = gateway
        self.personal_data = personal_data
        self.cache = EsimReadCache(self.provider)

    async def stream(self, url: str, reader: BodyReader) -> RawResponse:
        """The client's authenticated streamed GET (given by a provider that reads arrays)."""
        if self._streamed is None:
            raise TypeError(f"{type(self).__name__} was given no streamed GET")
        return await self._streamed(url, reader)
