"""The service: one call fans out over the configured providers and merges their answers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType

import anyio
import httpx2

from ..models import Order, OrderFilter, Provider, newest_first_key
from .base import ProviderClient
from .errors import InvalidRef, OrderNotFound, ProviderError

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


class OrderService:
    """Reads orders through provider clients sharing one pooled HTTP client.

    Create it inside the event loop that uses it, and close it there (`async with`).
    """

    def __init__(
        self,
        clients: Mapping[Provider, ProviderClient],
        http: httpx2.AsyncClient,
        *,
        source: str = "providers",
    ) -> None:
        self.clients = dict(clients)
        self._http = http
        self.source = source

    def __repr__(self) -> str:
        names = ", ".join(p.value for p in self.clients)
        return f"OrderService({names}; {self.source})"

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

    async def list_orders(self, order_filter: OrderFilter | None = None) -> OrderListing:
        """Every matching order of every asked provider; one provider failing spares the rest."""
        order_filter = order_filter or OrderFilter()
        listing = OrderListing()
        wanted = [c for p, c in self.clients.items() if order_filter.wants(p)]

        async def one(client: ProviderClient) -> None:
            try:
                answer = await client.list_orders(order_filter)
            except ProviderError as exc:
                log.warning("%s: listing failed: %s", client.provider, exc)
                listing.errors[client.provider] = exc
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

    async def iter_orders(self, order_filter: OrderFilter | None = None) -> AsyncIterator[Order]:
        """Matching orders across providers, newest first; a failed provider raises here."""
        listing = await self.list_orders(order_filter)
        if listing.errors and not listing.orders:
            raise next(iter(listing.errors.values()))
        for order in listing.orders:
            yield order

    async def get_order(self, ref: str) -> Order:
        provider, provider_id = self.resolve_ref(ref)
        return await self.clients[provider].get_order(provider_id)

    def resolve_ref(self, ref: str) -> tuple[Provider, str]:
        """`provider:id`, or a bare id where only one configured provider could own it."""
        ref = ref.strip()
        if ":" in ref:
            name, _, provider_id = ref.partition(":")
            try:
                provider = Provider(name.strip().lower())
            except ValueError:
                raise InvalidRef(
                    f"unknown provider {name!r} in ref {ref!r} "
                    f"(refs look like pressone:9666 or zim:ordr_…)"
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


def _owner_of_bare_id(provider_id: str) -> Provider:
    if provider_id.startswith("ordr_"):
        return Provider.ZIM
    if provider_id.isdigit():
        return Provider.PRESSONE
    raise InvalidRef(
        f"cannot tell the provider of {provider_id!r}: "
        "use a ref such as pressone:9666 or zim:ordr_…"
    )


__all__ = ["OrderListing", "OrderNotFound", "OrderService"]
