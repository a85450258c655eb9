"""PressOne's client: its endpoints, paging and tokens (the wire format is in `wire`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio

from ...client import coerce
from ...client.auth import AccessToken
from ...client.base import Position, ProviderClient, ProviderListing, ProviderPage, shape_error
from ...client.transport import Gateway, RawResponse
from ...client.ttl_cache import TtlCache
from ...errors import OrderNotFound, first_error
from ...esim_models import EsimState
from ...models import (
    Order,
    OrderFilter,
    OrderStatus,
    Provider,
)
from ...redact import held_secrets
from .esims import PressOneEsims
from .paging import Walk, applies_all_but_statuses, filters_exactly, first_walk, read_after
from .settings import TOKEN_PATH
from .wire import (
    INCLUDE,
    STATUS_BY_SLUG,
    Page,
    list_query,
    parse_order,
    parse_page,
    upstream_data,
)

log = logging.getLogger(__name__)


ORDERS_PATH = "/customer/v2/orders"
# Pages in flight after page 1: ten 100-order pages (1,000 orders) arrive in one round trip.
PAGE_CONCURRENCY = 10
#: Seconds, and how many, provider pages read for listings are kept (as the listing TTL).
LISTING_PAGE_TTL = 30.0
MAX_LISTING_PAGES = 64
MAX_PAGES = 5000  # a runaway paginator must not keep us busy forever


class PressOneClient(ProviderClient):
    provider = Provider.PRESSONE
    credential_variables = ("PRESSONE_CLIENT_ID", "PRESSONE_CLIENT_SECRET")

    def __init__(
        self,
        gateway: Gateway,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        personal_data: bool = False,
    ) -> None:
        super().__init__(gateway, personal_data=personal_data)
        self.base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        held_secrets.add(client_id, client_secret)
        self.page_concurrency = PAGE_CONCURRENCY
        # Provider pages recently read by `page_after`, by query and number: the pages of one
        # listing of ours share them (page 2 of 20 is usually in page 1 of 100).
        self._listed_pages: TtlCache[tuple[Any, int], Page] = TtlCache(
            LISTING_PAGE_TTL, MAX_LISTING_PAGES
        )
        self.esims = PressOneEsims(self.base_url, self._get, gateway, personal_data)

    def __repr__(self) -> str:
        return f"PressOneClient(base_url={self.base_url!r})"

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    async def _request_token(self) -> RawResponse:
        form = {
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "grant_type": "client_credentials",
        }
        return await self.gateway.send("POST", self.token_url, data=form)

    def _parse_token(self, payload: Any) -> AccessToken:
        body, _ = upstream_data(payload)
        token = body["access_token"]
        if not isinstance(token, str) or not token:
            raise ValueError("empty token")
        return AccessToken(token, coerce.integer(body.get("expires_in")))

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def list_orders(self, order_filter: OrderFilter) -> ProviderListing:
        listing = ProviderListing(self.provider)
        params = list_query(order_filter)
        if params is None:
            listing.total = 0
            return listing
        first = await self._page(params, 1)
        pages = [first]
        if first.last_page is not None:
            last = min(first.last_page, MAX_PAGES)
            pages += await self._pages_concurrently(params, range(2, last + 1))
        else:
            # An envelope without paginator meta: walk until a short or empty page, or one
            # that brings no new order (a gateway that ignores `page` would never end).
            page_no = 1
            known = {order.id for order in first.orders}
            while len(pages[-1].orders) >= first.per_page and page_no < MAX_PAGES:
                page_no += 1
                pages.append(await self._page(params, page_no))
                fresh = {order.id for order in pages[-1].orders} - known
                if not fresh:
                    break
                known |= fresh
        seen: set[str] = set()
        for page in pages:
            listing.unreadable += page.unreadable
            listing.orders += _new_matches(page, order_filter, seen)
        listing.total = len(listing.orders)
        return listing

    async def iter_pages(self, order_filter: OrderFilter) -> AsyncIterator[list[Order]]:
        """The matching orders page by page, in PressOne's order (newest first).

        At most `page_concurrency` pages are fetched and held at a time, so memory stays
        bounded whatever the number of orders.
        """
        params = list_query(order_filter)
        if params is None:
            return
        seen: set[str] = set()
        first = await self._page(params, 1)
        yield _new_matches(first, order_filter, seen)
        if first.last_page is not None:
            last = min(first.last_page, MAX_PAGES)
            step = max(1, self.page_concurrency)
            for start in range(2, last + 1, step):
                batch = range(start, min(start + step, last + 1))
                for page in await self._pages_concurrently(params, batch):
                    yield _new_matches(page, order_filter, seen)
            return
        # Without paginator meta, walk as list_orders does: until a short page, or one that
        # brings no new order.
        page, page_no = first, 1
        known = {order.id for order in first.orders}
        while len(page.orders) >= first.per_page and page_no < MAX_PAGES:
            page_no += 1
            page = await self._page(params, page_no)
            fresh = {order.id for order in page.orders} - known
            if not fresh:
                break
            known |= fresh
            yield _new_matches(page, order_filter, seen)

    async def _pages_concurrently(self, params: dict[str, str], numbers: range) -> list[Page]:
        results: dict[int, Page] = {}
        limiter = anyio.Semaphore(max(1, self.page_concurrency))

        async def fetch(number: int) -> None:
            async with limiter:
                results[number] = await self._page(params, number)

        with first_error():
            async with anyio.create_task_group() as group:
                for number in numbers:
                    group.start_soon(fetch, number)
        return [results[n] for n in numbers]

    async def _page(self, params: dict[str, str], number: int) -> Page:
        response = await self._get(self.base_url + ORDERS_PATH, {**params, "page": str(number)})
        if not response.ok:
            raise self._root_error(response, "order list")
        return parse_page(response.payload, personal_data=self.personal_data)

    async def page_after(
        self, order_filter: OrderFilter, position: Position | None, limit: int
    ) -> ProviderPage:
        """The provider pages these `limit` orders need, and no more: page 1 of 20 is one
        request (two when the list runs oldest first); pages read are kept for the listing
        TTL, so the next page of ours usually costs nothing."""
        params = list_query(order_filter)
        if params is None:
            return ProviderPage(self.provider, total=0)

        async def fetch(number: int) -> Page:
            key = (tuple(sorted(params.items())), number)
            return await self._listed_pages.get_or_load(key, lambda: self._page(params, number))

        walk = first_walk(await fetch(1)) if position is None else Walk.from_position(position)
        answer = await read_after(self.provider, walk, fetch, order_filter, limit)
        if not filters_exactly(order_filter) or answer.total is None:
            # Matches are counted as the walk finds them: exact once it reached the end.
            answer.total = walk.matched + len(answer.orders)
            answer.total_exact = not answer.more
        return answer

    async def count_by_status(
        self, order_filter: OrderFilter, *, fresh: bool = False
    ) -> dict[OrderStatus, int] | None:
        """Counted by the paginator, not by reading orders: one `limit=1` request per status
        slug the filter wants, reading its `meta.total`, all at once (orders PressOne reports
        under other slugs, UNKNOWN here, are the unfiltered total less the known slugs'). None
        when the filter has a part PressOne cannot apply (the order type, text, destination)."""
        params = list_query(order_filter)
        if params is None:
            return {}
        if not applies_all_but_statuses(order_filter):
            return None
        wanted = order_filter.statuses
        slugs = [s for s, status in STATUS_BY_SLUG.items() if wanted is None or status in wanted]
        with_unknown = wanted is None or OrderStatus.UNKNOWN in wanted
        if with_unknown:
            slugs = list(STATUS_BY_SLUG)
        queries = {slug: {**params, "filter[order_status]": slug} for slug in slugs}
        if with_unknown:
            queries[""] = {k: v for k, v in params.items() if k != "filter[order_status]"}
        totals: dict[str, int] = {}

        async def count(slug: str, query: dict[str, str]) -> None:
            query = {**query, "limit": "1"}
            key = (tuple(sorted(query.items())), 1)
            page = await self._listed_pages.get_or_load(
                key, lambda: self._page(query, 1), fresh=fresh
            )
            if page.total is None:
                raise shape_error(self.provider, "GET /orders answered no meta.total to count")
            totals[slug] = page.total

        async with anyio.create_task_group() as group:
            for slug, query in queries.items():
                group.start_soon(count, slug, query)
        counts: dict[OrderStatus, int] = {}
        for slug in slugs:
            status = STATUS_BY_SLUG[slug]
            if wanted is None or status in wanted:
                counts[status] = counts.get(status, 0) + totals[slug]
        if with_unknown:
            counts[OrderStatus.UNKNOWN] = max(0, totals[""] - sum(totals[s] for s in slugs))
        return {status: n for status, n in counts.items() if n}

    async def get_order(self, provider_id: str) -> Order:
        if not provider_id.isdigit():
            raise OrderNotFound(f"{self.provider}:{provider_id}")
        response = await self._get(
            f"{self.base_url}{ORDERS_PATH}/{provider_id}", {"include": INCLUDE}
        )
        if response.status == 404:
            raise OrderNotFound(f"{self.provider}:{provider_id}")
        data, _ = upstream_data(self._ok_json(response))
        if not isinstance(data, dict):
            raise shape_error(self.provider, "order answer without an order object")
        return parse_order(data, personal_data=self.personal_data)

    reads_esims = True

    async def order_esims(self, order: Order) -> list[EsimState]:
        """Each eSIM of the order (its `sims`), all read at once."""
        iccids = [esim.iccid for esim in order.esims if esim.iccid]
        found: dict[str, EsimState | None] = {}

        async def one(iccid: str) -> None:
            found[iccid] = await self.esims.state(iccid, order.ref)

        with first_error():
            async with anyio.create_task_group() as group:
                for iccid in dict.fromkeys(iccids):
                    group.start_soon(one, iccid)
        return [state for iccid in iccids if (state := found.get(iccid)) is not None]

    async def esim_by_iccid(self, iccid: str) -> EsimState | None:
        return await self.esims.state(iccid)


def _new_matches(page: Page, order_filter: OrderFilter, seen: set[str]) -> list[Order]:
    """The page's orders that match and were not on an earlier page (pages shift as orders
    arrive during a walk)."""
    found = []
    for order in page.orders:
        if order.id not in seen and order_filter.matches(order):
            seen.add(order.id)
            found.append(order)
    return found


__all__ = ["PressOneClient"]
