"""Zim Connections: its wire format and endpoints, nowhere else."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from ...client import coerce
from ...client.auth import AccessToken
from ...client.base import (
    Position,
    ProviderClient,
    ProviderListing,
    ProviderPage,
    after,
    anchor_of,
    shape_error,
)
from ...client.json_stream import CompressedArray, read_array, reread_array
from ...client.transport import Gateway, RawResponse
from ...client.ttl_cache import TtlCache
from ...errors import OrderNotFound
from ...esim_models import EsimState
from ...models import Order, OrderFilter, OrderStatus, Provider
from ...redact import held_secrets
from .esims import ZimEsims
from .rows import UNREADABLE, FindScan, PageScan, VisitScan
from .wire import parse_order

__all__ = ["ORDER_ID_PREFIX", "ZimClient", "parse_order"]

log = logging.getLogger(__name__)

ORDER_ID_PREFIX = "ordr_"
ORDERS_KEY = "orders"  # the one key of the body cache: one account per client
#: Seconds the bytes of `GET /orders` answer the next pages, counts and `get_order`'s
#: fallback: as long as the service keeps a listing (`service.caches.LISTING_TTL`).
BODY_TTL = 30.0
#: Compressed bytes kept at most (zlib level 1 shrinks Zim's JSON about sixfold: this holds
#: an account of a million orders or so); a larger answer is read again for each page.
MAX_KEPT_BYTES = 256 * 1024 * 1024

S = TypeVar("S", bound=Callable[[Any], None])


class ZimClient(ProviderClient):
    provider = Provider.ZIM
    credential_variables = ("ZIM_CLIENT_ID", "ZIM_CLIENT_SECRET", "ZIM_APP_IDENTIFIER")

    def __init__(
        self,
        gateway: Gateway,
        *,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        app_identifier: str = "b2b",
        personal_data: bool = False,
    ) -> None:
        super().__init__(gateway, personal_data=personal_data)
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._app_identifier = app_identifier
        held_secrets.add(client_id, client_secret, app_identifier)
        # Whether `GET /orders/{id}` exists is unconfirmed; learnt on first use.
        self._single_order_endpoint: bool | None = None
        self._bodies: TtlCache[str, CompressedArray] = TtlCache(
            BODY_TTL, 1, weigh=lambda body: body.size, max_weight=MAX_KEPT_BYTES
        )
        self.esims = ZimEsims(
            self.base_url, self._get, gateway, personal_data, stream=self._get_streamed
        )

    def __repr__(self) -> str:
        return f"ZimClient(base_url={self.base_url!r})"

    async def _request_token(self) -> RawResponse:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        return await self.gateway.send("POST", self.token_url, data=form)

    def _parse_token(self, payload: Any) -> AccessToken:
        token = payload["access_token"]
        if not isinstance(token, str) or not token:
            raise ValueError("empty token")
        return AccessToken(token, coerce.integer(payload.get("expires_in")))

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "X-App-Identifier": self._app_identifier}

    async def list_orders(self, order_filter: OrderFilter) -> ProviderListing:
        listing = ProviderListing(self.provider)
        if not order_filter.wants(self.provider) or _cannot_match(order_filter):
            listing.total = 0
            return listing
        # A listing always reads afresh (the service keeps listings itself); the bytes read
        # stay for the pages and `get_order`'s fallback below.
        orders: list[Order] = []

        def listed() -> VisitScan:
            orders.clear()  # a download cut short is read again from the start
            return VisitScan(order_filter, self.personal_data, orders.append)

        scan = await self._scan(listed, fresh=True)
        listing.orders = orders
        listing.unreadable = scan.unreadable
        listing.total = len(listing.orders)
        _warn_unreadable(scan.unreadable)
        return listing

    async def page_after(
        self,
        order_filter: OrderFilter,
        position: Position | None,
        limit: int,
        *,
        fresh: bool = False,
    ) -> ProviderPage:
        """Up to `limit` matching orders after `position`, newest first, from one streamed
        read of the whole account (Zim has no paging): only those `limit` rows are held and
        parsed, whatever the account holds. The bytes read are kept compressed for
        `BODY_TTL`, so the next pages of a listing (and concurrent callers) read no more of
        Zim; `fresh` downloads them again. `total` is exact."""
        if not order_filter.wants(self.provider) or _cannot_match(order_filter):
            return ProviderPage(self.provider, total=0)
        anchor = anchor_of(position) if position is not None else None
        scan = await self._scan(lambda: PageScan(order_filter, anchor, limit), fresh=fresh)
        orders = scan.orders(personal_data=self.personal_data)
        _warn_unreadable(scan.unreadable)
        positions = [after(order) for order in orders]
        return ProviderPage(
            self.provider,
            orders=orders,
            positions=positions,
            more=scan.more,
            resume=(positions[-1] if positions else position) if scan.more else None,
            total=scan.total,
            scanned=scan.scanned,
            # The order the position was made after is gone, or no longer matches.
            changed=anchor is not None and not scan.anchor_seen,
            unreadable=scan.unreadable,
        )

    async def visit_all(self, order_filter: OrderFilter, visit: Callable[[Order], None]) -> int:
        """Every matching order handed to `visit` in one pass over the account's kept bytes,
        in Zim's own order: only the matching rows are parsed, and each order is dropped once
        visited.

        The rows are visited from the whole body, not while it downloads: a download cut
        short is read again from the start, and rows already handed on cannot be taken back.
        """
        if not order_filter.wants(self.provider) or _cannot_match(order_filter):
            return 0
        body = await self._bodies.get_or_load(ORDERS_KEY, self._download_body)
        scan = VisitScan(order_filter, self.personal_data, visit)
        await reread_array(body, scan, self.provider)
        _warn_unreadable(scan.unreadable)
        return scan.visited

    async def count_by_status(
        self, order_filter: OrderFilter, *, fresh: bool = False
    ) -> dict[OrderStatus, int]:
        """How many orders match `order_filter`, by normalized status (statuses with none
        are left out), counted in one streamed pass without building any order."""
        if not order_filter.wants(self.provider) or _cannot_match(order_filter):
            return {}
        scan = await self._scan(lambda: PageScan(order_filter, None, 0), fresh=fresh)
        return {status: count for status, count in scan.by_status.items() if count}

    async def _scan(self, make: Callable[[], S], *, fresh: bool = False) -> S:
        """A scan made by `make` called with every row of `GET /orders`: while it downloads
        (concurrent callers share one download), or from the bytes kept since."""
        mine: list[S] = []

        async def download() -> CompressedArray:
            scan, body = await self._download(make)
            mine.append(scan)
            return body

        body = await self._bodies.get_or_load(ORDERS_KEY, download, fresh=fresh)
        if mine:
            return mine[0]
        scan = make()
        await reread_array(body, scan, self.provider)
        return scan

    async def _download_body(self) -> CompressedArray:
        """The account's bytes, read without looking at a row."""
        _, body = await self._download(lambda: _ignore)
        return body

    async def _download(self, make: Callable[[], S]) -> tuple[S, CompressedArray]:
        async def reader(chunks: AsyncIterator[bytes]) -> tuple[S, CompressedArray]:
            scan = make()  # afresh on each try: a body cut short is read again from the start
            return scan, await read_array(chunks, scan, self.provider)

        response = await self._get_streamed(self.base_url + "/orders", reader)
        if not response.ok:
            raise self._root_error(response, "order list")
        scan, body = response.payload
        if not body.is_array:
            raise shape_error(self.provider, "GET /orders did not answer a JSON array")
        return scan, body

    async def get_order(self, provider_id: str) -> Order:
        if self._single_order_endpoint is not False:
            response = await self._get(f"{self.base_url}/orders/{provider_id}")
            if response.ok:
                self._single_order_endpoint = True
                return parse_order(response.payload, personal_data=self.personal_data)
            if response.status == 405:
                self._single_order_endpoint = False
            elif response.status != 404:
                raise self.gateway.error_for(response)
            elif self._single_order_endpoint:
                raise OrderNotFound(f"{self.provider}:{provider_id}")
        # The endpoint is unconfirmed: a 404 may mean "no such route", so look through the
        # list, read once for concurrent callers and kept while it is fresh (an unknown id
        # must not download the whole account each time); only the row asked for is held.
        found = await self._scan(lambda: FindScan(provider_id))
        try:
            order = parse_order(found.row, personal_data=self.personal_data)
        except UNREADABLE:
            raise OrderNotFound(f"{self.provider}:{provider_id}") from None
        # The list holds what the route denied: the route is missing, ask the list from now on.
        self._single_order_endpoint = False
        return order

    reads_esims = True

    async def order_esims(self, order: Order) -> list[EsimState]:
        """The eSIM the order's subscription names, with every subscription naming it."""
        esim_id = order.subscription.esim_id if order.subscription else None
        if not esim_id:
            return []
        return [await self.esims.state(esim_id, order.ref)]

    async def esim_by_iccid(self, iccid: str) -> EsimState | None:
        row = await self.esims.find(iccid)
        esim_id = coerce.text(row.get("id"), 80) if row else None
        if row is None or esim_id is None:
            return None
        return await self.esims.state(esim_id, known=row)


def _ignore(row: Any) -> None:
    """A scan that keeps nothing: the rows are read later, from the kept bytes."""


def _warn_unreadable(count: int) -> None:
    if count:
        log.warning("zim: %d order(s) could not be read", count)


def _cannot_match(order_filter: OrderFilter) -> bool:
    """Zim orders carry no ICCID and no human code (`text` and `destination` find plans)."""
    return bool(order_filter.iccid or order_filter.code)
