"""What every provider client shares: authenticated GETs with one token replay on 401."""

from __future__ import annotations

import bisect
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

import httpx2

from ..errors import AddressNotFound, AuthenticationError, ProviderDataError, ProviderError
from ..esim_models import EsimState
from ..models import Order, OrderFilter, OrderStatus, Provider, newest_first_key
from .auth import AccessToken, TokenCache
from .transport import BodyReader, Gateway, RawResponse

log = logging.getLogger(__name__)


@dataclass
class ProviderListing:
    """One provider's answer to a listing: orders matching the filter, and what was off."""

    provider: Provider
    orders: list[Order] = field(default_factory=list)
    total: int | None = None
    unreadable: int = 0


#: Where a listing continues in one provider: small, JSON-able, read only by that provider.
Position = dict[str, Any]
#: `newest_first_key` of an order: the keyset a listing sorts on.
AnchorKey = tuple[bool, int, str]


@dataclass
class ProviderPage:
    """Up to `limit` matching orders after a position, newest first, and where each leaves off.

    `positions[i]` is where the listing continues once `orders[: i + 1]` were shown, so the
    service can stop anywhere in a provider's answer when it merges providers. `total` counts
    the listing's matching orders (None: unknown; `total_exact` False: at least that many).
    `scanned` is how many provider orders were read to answer; `changed` says the listing moved
    under the position (orders added or removed since it was made), so the caller is told.

    `resume` is where the listing continues after everything read (None once it is read to
    the end); `frontier`, set when the read stopped short of `limit` with orders left (a page
    budget ran out while a filter was applied locally), is the sort key of the last order
    read: orders of other providers older than it must wait, as this one may still have
    matching orders that sort before them.
    """

    provider: Provider
    orders: list[Order] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    more: bool = False
    total: int | None = None
    total_exact: bool = True
    scanned: int = 0
    changed: bool = False
    unreadable: int = 0
    resume: Position | None = None
    frontier: AnchorKey | None = None


class ProviderClient(ABC):
    """A provider's API as the service sees it: list and get, in the normalized model."""

    provider: Provider
    # Names of the settings to check when the provider rejects our credentials.
    credential_variables: tuple[str, ...] = ()

    def __init__(self, gateway: Gateway, *, personal_data: bool = False) -> None:
        self.gateway = gateway
        self.personal_data = personal_data
        self.tokens = TokenCache(self._fetch_token)

    @abstractmethod
    async def list_orders(self, order_filter: OrderFilter) -> ProviderListing: ...

    async def iter_pages(self, order_filter: OrderFilter) -> AsyncIterator[list[Order]]:
        """The matching orders newest first, a page at a time. A provider that pages (PressOne)
        reads a few pages at a time; by default the whole listing is one sorted page."""
        listing = await self.list_orders(order_filter)
        yield sorted(listing.orders, key=newest_first_key)

    async def visit_all(self, order_filter: OrderFilter, visit: Callable[[Order], None]) -> int:
        """Call `visit` with every matching order once, in no particular order; how many.

        For readers that aggregate or write as they go (charts, exports): nothing is kept
        here, so memory stays what `iter_pages` holds at a time. A provider whose API
        answers everything at once overrides this to visit while it reads.
        """
        visited = 0
        async with aclosing(self.iter_pages(order_filter)) as pages:
            async for page in pages:
                for order in page:
                    visit(order)
                visited += len(page)
        return visited

    async def page_after(
        self, order_filter: OrderFilter, position: Position | None, limit: int
    ) -> ProviderPage:
        """Up to `limit` matching orders after `position` (None: from the newest).

        By default the whole listing is read and a keyset anchor kept: right for a provider
        whose API answers everything at once; a provider that pages overrides this to read
        only the pages the answer needs.
        """
        listing = await self.list_orders(order_filter)
        ordered = sorted(listing.orders, key=newest_first_key)
        start = 0
        if position is not None:
            start = bisect.bisect_right(ordered, anchor_of(position), key=newest_first_key)
        shown = ordered[start : start + limit]
        positions = [after(order) for order in shown]
        more = start + len(shown) < len(ordered)
        return ProviderPage(
            self.provider,
            orders=shown,
            positions=positions,
            more=more,
            resume=(positions[-1] if positions else position) if more else None,
            total=listing.total if listing.total is not None else len(ordered),
            scanned=len(ordered),
            unreadable=listing.unreadable,
        )

    async def count_by_status(
        self, order_filter: OrderFilter, *, fresh: bool = False
    ) -> dict[OrderStatus, int] | None:
        """How many orders match `order_filter`, by normalized status (statuses with none left
        out), or None when this provider cannot tell without reading every order. A provider
        whose API counts (a paginator's total) or that reads its account in one go overrides
        this."""
        return None

    @abstractmethod
    async def get_order(self, provider_id: str) -> Order:
        """The order, or `OrderNotFound`."""

    #: Whether this provider reads eSIM state; one that does overrides the two reads below
    #: (see `client.esims` for the per-eSIM cache and rate-limit handling they share).
    reads_esims: bool = False

    async def order_esims(self, order: Order) -> list[EsimState]:
        """The state of each eSIM of `order`, its facts read concurrently; [] when it has
        none, or when this provider reports no eSIM state."""
        return []

    async def esim_by_iccid(self, iccid: str) -> EsimState | None:
        """One eSIM by its ICCID, or None when this provider does not know it."""
        return None

    @abstractmethod
    async def _request_token(self) -> RawResponse: ...

    @abstractmethod
    def _parse_token(self, payload: Any) -> AccessToken: ...

    @abstractmethod
    def _auth_headers(self, token: str) -> dict[str, str]: ...

    async def _fetch_token(self) -> AccessToken:
        response = await self._request_token()
        if response.status in (400, 401, 403):
            raise self._credentials_error(response)
        if not response.ok:
            raise self._root_error(response, "token endpoint")
        try:
            return self._parse_token(response.payload)
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderDataError(
                self.provider,
                f"token answer without a usable access token ({exc.__class__.__name__})",
            ) from None

    def _root_error(self, response: RawResponse, what: str) -> ProviderError:
        """The error of a final answer from an endpoint the API always has (`what`: its token
        endpoint, its order list): a 404 there says the configured address is wrong."""
        said = self.gateway.error_for(response)
        if response.status != 404:
            return said
        path = httpx2.URL(response.url).path if response.url else "?"
        return AddressNotFound(
            self.provider,
            f"no {what} at {path} ({said.provider_message})",
            status=404,
            request_id=said.request_id,
        )

    def _credentials_error(self, response: RawResponse) -> AuthenticationError:
        said = self.gateway.error_for(response)
        names = " and ".join(self.credential_variables)
        return AuthenticationError(
            self.provider,
            f"credentials rejected ({said.provider_message}); check {names}",
            status=response.status,
            code=said.code,
            request_id=said.request_id,
        )

    async def _get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        *,
        give_back: frozenset[int] = frozenset(),
    ) -> RawResponse:
        """An authenticated GET; a 401 replaces the token once, then it is a real error.
        Statuses in `give_back` are returned unretried (see `Gateway.send`)."""
        return await self._authenticated(
            lambda headers: self.gateway.send(
                "GET", url, params=params, headers=headers, give_back=give_back
            )
        )

    async def _get_streamed(
        self, url: str, reader: BodyReader, params: Mapping[str, str] | None = None
    ) -> RawResponse:
        """An authenticated GET whose 2xx body goes to `reader` as it arrives
        (`Gateway.stream`); `payload` is what `reader` returned."""
        return await self._authenticated(
            lambda headers: self.gateway.stream(url, reader, params=params, headers=headers)
        )

    async def _authenticated(
        self, call: Callable[[dict[str, str]], Awaitable[RawResponse]]
    ) -> RawResponse:
        """`call` with the auth headers; a 401 replaces the token once, then it is an error."""
        token = await self.tokens.get()
        response = await call(self._auth_headers(token))
        if response.status == 401:
            await self.tokens.discard(token)
            token = await self.tokens.get()
            response = await call(self._auth_headers(token))
            if response.status == 401:
                await self.tokens.discard(token)
                raise self._credentials_error(response)
        return response

    def _ok_json(self, response: RawResponse) -> Any:
        """The parsed answer of a 2xx response (the gateway parsed it); the typed error else."""
        if not response.ok:
            raise self.gateway.error_for(response)
        return response.payload


def after(order: Order) -> Position:
    """The keyset position just after `order`."""
    missing, sort_ts, ref = newest_first_key(order)
    return {"after": [missing, sort_ts, ref]}


def anchor_of(position: Position) -> AnchorKey:
    """The keyset anchor of a position made by `after`; ValueError when it is not one."""
    try:
        missing, sort_ts, ref = position["after"]
    except (KeyError, TypeError, ValueError):
        raise ValueError("not a keyset position") from None
    if not isinstance(missing, bool) or not isinstance(sort_ts, int) or not isinstance(ref, str):
        raise ValueError("not a keyset position")
    return (missing, sort_ts, ref)


def shape_error(provider: Provider, what: str) -> ProviderError:
    return ProviderDataError(provider, f"unexpected answer shape: {what}")
