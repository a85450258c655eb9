"""Zim Connections: its wire format and endpoints, nowhere else."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.lowlevel

from ...client import coerce
from ...client.auth import AccessToken
from ...client.base import ProviderClient, ProviderListing, shape_error
from ...client.transport import Gateway, RawResponse
from ...client.ttl_cache import TtlCache
from ...errors import OrderNotFound, ProviderDataError
from ...models import (
    Order,
    OrderFilter,
    Provider,
)
from ...redact import held_secrets
from .wire import parse_order

__all__ = ["ORDER_ID_PREFIX", "ZimClient", "parse_order"]

log = logging.getLogger(__name__)

ORDER_ID_PREFIX = "ordr_"
PARSE_SLICE = 100  # orders read between two yields to the event loop
WHOLE_LIST = "orders"  # the one key of the whole-list cache
#: Seconds a whole-list read answers `get_order`'s fallback: as long as a listing is kept.
WHOLE_LIST_TTL = 30.0


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
        self._whole_list: TtlCache[str, _WholeList] = TtlCache(WHOLE_LIST_TTL, 1)

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
        # A listing always reads afresh (the service keeps listings itself); what it read
        # stays for `get_order`'s fallback below.
        whole = await self._whole_list.get_or_load(WHOLE_LIST, self._read_whole_list, fresh=True)
        listing.orders = [order for order in whole.orders if order_filter.matches(order)]
        listing.unreadable = whole.unreadable
        listing.total = len(listing.orders)
        return listing

    async def _read_whole_list(self) -> _WholeList:
        payload = self._ok_json(await self._get(self.base_url + "/orders"))
        if not isinstance(payload, list):
            raise shape_error(self.provider, "GET /orders did not answer a JSON array")
        orders, unreadable = [], 0
        for index, row in enumerate(payload):
            if index and index % PARSE_SLICE == 0:
                # Zim sends every order at once; reading thousands takes long enough that
                # the other provider's next page requests, and other tool calls, must get
                # the event loop in between.
                await anyio.lowlevel.checkpoint()
            try:
                orders.append(parse_order(row, personal_data=self.personal_data))
            except (ProviderDataError, TypeError, ValueError, KeyError):
                unreadable += 1
        if unreadable:
            log.warning("zim: %d order(s) could not be read", unreadable)
        return _WholeList(orders, unreadable)

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
        # The endpoint is unconfirmed: a 404 may mean "no such route", so ask the list, read
        # once for concurrent callers and reused while it is fresh (an unknown id must not
        # download the whole account each time).
        whole = await self._whole_list.get_or_load(WHOLE_LIST, self._read_whole_list)
        order = whole.by_id.get(provider_id)
        if order is None:
            raise OrderNotFound(f"{self.provider}:{provider_id}")
        # The list holds what the route denied: the route is missing, ask the list from now on.
        self._single_order_endpoint = False
        return order


@dataclass
class _WholeList:
    """Every order of the account as one `GET /orders` answered it."""

    orders: list[Order]
    unreadable: int
    by_id: dict[str, Order] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {order.id: order for order in self.orders}


def _cannot_match(order_filter: OrderFilter) -> bool:
    """Zim orders carry no ICCID, no human code and no description."""
    return bool(order_filter.iccid or order_filter.code or order_filter.text)
