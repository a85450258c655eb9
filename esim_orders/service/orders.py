"""The service: one call fans out over the configured providers and merges their answers."""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import TracebackType

import anyio
import httpx2

from ..client.base import ProviderClient
from ..client.shared_store import SharedStore
from ..client.ttl_cache import TtlCache
from ..errors import InvalidRef, OrderNotFound, ProviderError
from ..esim_models import EsimState
from ..failures.thresholds import Thresholds
from ..models import Order, OrderFilter, Provider, newest_first_key
from ..providers import owner_of_bare_id, ref_examples
from .caches import (
    FINISHED_ORDER_TTL,
    FINISHED_STATUSES,
    LISTING_TTL,
    MAX_FINISHED_ORDERS,
    MAX_LISTED_ORDERS,
    MAX_LISTINGS,
)
from .counts import StatusCounts, count_by_status
from .esims import esim_by_iccid, order_esims, stamped
from .pages import OrdersPage, Standing, ask_provider, read_page
from .visits import Visited, visit_all

log = logging.getLogger(__name__)


@dataclass
class OrderListing:
    """Orders of every provider that answered, newest first, and what failed per provider."""

    orders: list[Order] = field(default_factory=list)
    totals: dict[Provider, int] = field(default_factory=dict)
    errors: dict[Provider, ProviderError] = field(default_factory=dict)
    unreadable: dict[Provider, int] = field(default_factory=dict)

    @property
    def total(self) -> int | None:
        """Matching orders over all providers, None when a provider could not tell."""
        if self.errors:
            return None
        return sum(self.totals.values())

    def copy(self) -> OrderListing:
        """A listing of its own for a caller, sharing the (immutable) orders."""
        return OrderListing(
            orders=list(self.orders),
            totals=dict(self.totals),
            errors=dict(self.errors),
            unreadable=dict(self.unreadable),
        )


class Source(StrEnum):
    """Where a service's orders come from; the value is how faces name it."""

    PROVIDERS = "providers"
    SANDBOX = "embedded sandbox"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class OrderService:
    """Reads orders through provider clients sharing one pooled HTTP client.

    Create it inside the event loop that uses it, and close it there (`async with`).

    Two caches spare the providers (see `caches.py` for what each costs in freshness):
    finished orders for `finished_ttl` seconds, listings for `listing_ttl` seconds. A TTL
    of 0 turns a cache off; `fresh=True` bypasses it for one call.

    `thresholds` (from the one settings object, see `wiring.open_service`) say when a
    waiting order counts as stuck; `now` is the wall clock ages are measured against (tests
    pin it). explain_failure reads both here.
    """

    def __init__(
        self,
        clients: Mapping[Provider, ProviderClient],
        http: httpx2.AsyncClient,
        *,
        source: Source = Source.PROVIDERS,
        finished_ttl: float = FINISHED_ORDER_TTL,
        listing_ttl: float = LISTING_TTL,
        clock: Callable[[], float] = time.monotonic,
        thresholds: Thresholds | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.clients = dict(clients)
        self._http = http
        self.source = Source(source)
        self.thresholds = thresholds or Thresholds()
        self.now: Callable[[], datetime] = now or _utc_now
        self.finished_orders: TtlCache[tuple[Provider, str], Order] = TtlCache(
            finished_ttl, MAX_FINISHED_ORDERS, clock=clock
        )
        #: Redis shared with the deployment's other processes (see `shared_state`), if any.
        self.shared: SharedStore | None = None
        self.listings: TtlCache[OrderFilter, OrderListing] = TtlCache(
            listing_ttl,
            MAX_LISTINGS,
            weigh=lambda listing: len(listing.orders),
            max_weight=MAX_LISTED_ORDERS,
            clock=clock,
        )

    @property
    def reads_personal_data(self) -> bool:
        """Whether a client reads customers' personal data (`ESIM_ORDERS_PERSONAL_DATA`).
        When none does, no answer holds any (Redis keeps such orders apart), so there is
        nothing to take out of an answer for a caller without the scope."""
        return any(client.personal_data for client in self.clients.values())

    def __repr__(self) -> str:
        names = ", ".join(p.value for p in self.clients)
        return f"OrderService({names}; {self.source})"

    @property
    def is_sandbox(self) -> bool:
        """True when the embedded sandbox's demo data stands in for the providers."""
        return self.source is Source.SANDBOX

    @property
    def providers(self) -> tuple[Provider, ...]:
        return tuple(self.clients)

    async def __aenter__(self) -> OrderService:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self.shared is not None:
            await self.shared.aclose()

    async def list_orders(
        self, order_filter: OrderFilter | None = None, *, fresh: bool = False
    ) -> OrderListing:
        """Every matching order of every asked provider; one provider failing spares the rest.

        A listing every provider answered is kept `listing_ttl` seconds, so the pages of one
        listing come from one snapshot; `fresh=True` asks the providers again.
        """
        order_filter = order_filter or OrderFilter()
        listing = await self.listings.get_or_load(
            order_filter,
            lambda: self._list_from_providers(order_filter),
            fresh=fresh,
            keep=lambda answer: not answer.errors,
        )
        return listing.copy()

    async def _list_from_providers(self, order_filter: OrderFilter) -> OrderListing:
        listing = OrderListing()
        wanted = [c for p, c in self.clients.items() if order_filter.wants(p)]

        async def one(client: ProviderClient) -> None:
            answer = await ask_provider(client, "listing", lambda: client.list_orders(order_filter))
            if isinstance(answer, ProviderError):
                listing.errors[client.provider] = answer
                return
            listing.orders.extend(answer.orders)
            listing.totals[client.provider] = answer.total or len(answer.orders)
            if answer.unreadable:
                listing.unreadable[client.provider] = answer.unreadable

        async with anyio.create_task_group() as group:
            for client in wanted:
                group.start_soon(one, client)
        listing.orders.sort(key=newest_first_key)
        return listing

    async def list_page(
        self,
        order_filter: OrderFilter | None = None,
        limit: int = 20,
        standings: Mapping[Provider, Standing] | None = None,
    ) -> OrdersPage:
        """The next `limit` matching orders after `standings` (None: the first page), reading
        only what they need from each provider; one provider failing spares the rest."""
        return await read_page(self.clients, order_filter or OrderFilter(), limit, standings)

    async def count_by_status(self, order_filter: OrderFilter | None = None) -> StatusCounts:
        """How many orders match, by provider and status, without listing them."""
        return await count_by_status(self.clients, order_filter or OrderFilter())

    async def visit_all(
        self, order_filter: OrderFilter | None, visit: Callable[[Order], None]
    ) -> Visited:
        """Call `visit` with every matching order once, in no particular order, each provider
        as it reads (see `visits.py`): bounded memory whatever the account holds, for readers
        that aggregate or write as they go. Always asks the providers (through their own
        short-lived caches); one provider failing spares the rest."""
        return await visit_all(self.clients, order_filter or OrderFilter(), visit)

    async def iter_orders(self, order_filter: OrderFilter | None = None) -> AsyncIterator[Order]:
        """Matching orders across providers, newest first, streamed; a failed provider raises.

        Unlike `list_orders` nothing is kept: a paginating provider (PressOne) is read a few
        pages at a time in its own order (newest first), the others' lists are sorted, and the
        streams are merged by creation time. Memory stays bounded by a few pages however many
        orders there are. Always asks the providers; the listing cache is not involved.
        """
        order_filter = order_filter or OrderFilter()
        wanted = [c for p, c in self.clients.items() if order_filter.wants(p)]
        async with AsyncExitStack() as stack:
            streams = [
                await stack.enter_async_context(aclosing(_provider_stream(c, order_filter)))
                for c in wanted
            ]
            heads: list[tuple[tuple[bool, int, str], int, Order]] = []
            for index, stream in enumerate(streams):
                order = await anext(stream, None)
                if order is not None:
                    heads.append((newest_first_key(order), index, order))
            heapq.heapify(heads)
            while heads:
                _, index, order = heads[0]
                yield order
                following = await anext(streams[index], None)
                if following is None:
                    heapq.heappop(heads)
                else:
                    heapq.heapreplace(heads, (newest_first_key(following), index, following))

    async def get_order(self, ref: str, *, fresh: bool = False) -> Order:
        """The order by ref. A finished one is answered from memory for `finished_ttl`
        seconds (statuses in `caches.FINISHED_STATUSES`); `fresh=True` asks the provider."""
        provider, provider_id = self.resolve_ref(ref)
        client = self.clients[provider]
        return await self.finished_orders.get_or_load(
            (provider, provider_id),
            lambda: client.get_order(provider_id),
            fresh=fresh,
            keep=lambda order: order.status in FINISHED_STATUSES,
        )

    async def order_esims(self, order: Order) -> list[EsimState]:
        """The state of each eSIM of `order` (usage, packages and record read at once, each
        kept per eSIM by its provider's client for at least 5 minutes)."""
        now = self.now()
        return [stamped(state, now) for state in await order_esims(self.clients, order)]

    async def esim_by_iccid(self, iccid: str) -> EsimState:
        """One eSIM by ICCID from whichever configured provider knows it; `EsimNotFound`."""
        return stamped(await esim_by_iccid(self.clients, iccid), self.now())

    def resolve_ref(self, ref: str) -> tuple[Provider, str]:
        """`provider:id`, or a bare id where only one configured provider could own it."""
        ref = ref.strip()
        if ":" in ref:
            name, _, provider_id = ref.partition(":")
            try:
                provider = Provider(name.strip().lower())
            except ValueError:
                raise InvalidRef(
                    f"unknown provider {name!r} in ref {ref!r} (refs look like {ref_examples()})"
                ) from None
            provider_id = provider_id.strip()
        else:
            provider_id = ref
            provider = _owner_of_bare_id(ref)
        if not provider_id:
            raise InvalidRef(f"ref {ref!r} has no order id")
        if provider not in self.clients:
            configured = ", ".join(p.value for p in self.clients) or "none"
            raise InvalidRef(f"{provider.value} is not configured here (configured: {configured})")
        return provider, provider_id


async def _provider_stream(
    client: ProviderClient, order_filter: OrderFilter
) -> AsyncIterator[Order]:
    """One provider's matching orders, newest first, page by page as the client reads them."""
    async with aclosing(client.iter_pages(order_filter)) as pages:
        async for page in pages:
            for order in page:
                yield order


def _owner_of_bare_id(provider_id: str) -> Provider:
    owner = owner_of_bare_id(provider_id)
    if owner is None:
        raise InvalidRef(
            f"cannot tell the provider of {provider_id!r}: use a ref such as {ref_examples()}"
        )
    return owner.provider


__all__ = ["OrderListing", "OrderNotFound", "OrderService"]
