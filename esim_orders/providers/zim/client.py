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
    Allowance,
    Customer,
    Failure,
    Money,
    Order,
    OrderFilter,
    OrderStatus,
    OrderType,
    Plan,
    Provider,
    Subscription,
    SubscriptionStatus,
)
from ...redact import held_secrets, redact_payload

log = logging.getLogger(__name__)

STATUS_BY_WIRE = {
    "PENDING_APPROVAL": OrderStatus.PENDING,
    "PENDING_PAYMENT": OrderStatus.PENDING,
    "IN_BASKET": OrderStatus.PENDING,
    "PROCESSING": OrderStatus.PROCESSING,
    "FULFILLED": OrderStatus.COMPLETED,
    "CANCELLED": OrderStatus.CANCELLED,
    "FAILED": OrderStatus.FAILED,
    "REPLACED": OrderStatus.REPLACED,
}
TYPE_BY_WIRE = {t.value: t for t in (OrderType.ONE_OFF, OrderType.TOP_UP, OrderType.RECURRING)}
SUBSCRIPTION_BY_WIRE = {
    s.value: s for s in SubscriptionStatus if s is not SubscriptionStatus.UNKNOWN
}
DAYS_PER_UNIT = {"DAY": 1, "DAYS": 1, "WEEK": 7, "WEEKS": 7}
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


def parse_order(row: Any, *, personal_data: bool = False) -> Order:
    """One Zim order object into the normalized model; tolerant of every optional field."""
    if not isinstance(row, dict):
        raise shape_error(Provider.ZIM, "order is not an object")
    order_id = coerce.text(row.get("id"), 80)
    if order_id is None:
        raise shape_error(Provider.ZIM, "order without an id")
    wire_status = coerce.text(row.get("status"), 60)
    wire_type = coerce.text(row.get("type"), 40)
    status = coerce.enum_or_unknown(STATUS_BY_WIRE, wire_status, OrderStatus.UNKNOWN)
    plan = parse_plan(row.get("plan"), plan_id=coerce.text(row.get("planID"), 80))
    reason = coerce.text(row.get("failureReason"), 200)
    user_id = coerce.text(row.get("userID"), 80)
    return Order(
        provider=Provider.ZIM,
        id=order_id,
        status=status,
        provider_status=wire_status,
        type=coerce.enum_or_unknown(TYPE_BY_WIRE, wire_type, OrderType.UNKNOWN),
        provider_type=wire_type,
        created_at=coerce.timestamp(row.get("createdAt")),
        updated_at=coerce.timestamp(row.get("updatedAt")),
        plan=plan,
        price=plan_price(row.get("plan")),
        subscription=_subscription(row.get("subscription"), row.get("plan"), plan),
        customer=Customer(id=user_id) if user_id else None,
        failure=Failure(reason_code=reason) if reason else None,
        account_id=coerce.text(row.get("accountID"), 80),
        payment_id=coerce.text(row.get("paymentID"), 80),
        payment_reference=coerce.text(row.get("paymentReference"), 120),
        notify_recipient=coerce.boolean(row.get("notifyRecipient")),
        raw=redact_payload(row, personal=not personal_data),
    )


def parse_plan(value: Any, *, plan_id: str | None = None) -> Plan | None:
    plan = coerce.mapping(value)
    if not plan:
        return Plan(id=plan_id) if plan_id else None
    destination = coerce.mapping(plan.get("destination"))
    region = coerce.mapping(plan.get("region"))
    duration_unit = (coerce.text(plan.get("durationUnit"), 20) or "").upper()
    duration = coerce.integer(plan.get("durationValue"))
    per_unit = DAYS_PER_UNIT.get(duration_unit)
    features = [
        name
        for item in coerce.items(plan.get("features"))
        if (name := coerce.text(coerce.mapping(item).get("name"), 40))
    ]
    dest_name = coerce.text(destination.get("name"), 100)
    region_name = coerce.text(region.get("name"), 100)
    data = allowance(plan.get("dataValue"), plan.get("dataUnit"))
    return Plan(
        id=coerce.text(plan.get("id"), 80) or plan_id,
        name=_plan_name(dest_name or region_name, data, duration, duration_unit),
        destination=dest_name,
        region=region_name,
        data=data,
        voice=allowance(plan.get("callValue"), plan.get("callUnit")),
        sms=allowance(plan.get("smsValue"), plan.get("smsUnit")),
        validity_days=duration * per_unit if duration is not None and per_unit else None,
        features=features,
    )


def _plan_name(
    place: str | None, data: Allowance | None, duration: int | None, unit: str
) -> str | None:
    """Zim plans have no display name; compose one a person recognises."""
    parts = [p for p in (place, str(data) if data else None) if p]
    if duration is not None and unit:
        parts.append(f"{duration} {unit.lower()}")
    return " · ".join(parts) or None


def allowance(value: Any, unit: Any) -> Allowance | None:
    """Zim's value/unit pair; -1 means unlimited."""
    amount = coerce.decimal(value)
    if amount is None:
        return None
    if amount == -1:
        return Allowance(unlimited=True)
    if amount < 0:
        return None
    return Allowance(amount=amount, unit=coerce.text(unit, 20))


def plan_price(value: Any) -> Money | None:
    """The plan's first price: integer minor units with their exponent."""
    for price in coerce.items(coerce.mapping(value).get("prices")):
        price = coerce.mapping(price)
        minor = coerce.integer(price.get("value"))
        currency = coerce.text(price.get("currencyISO"), 8)
        exponent = coerce.integer(price.get("minorExponentUnits"))
        if minor is not None and currency and exponent is not None and 0 <= exponent <= 6:
            return Money(minor_units=minor, currency=currency.upper(), exponent=exponent)
    return None


def _subscription(value: Any, order_plan: Any, parsed_plan: Plan | None) -> Subscription | None:
    sub = coerce.mapping(value)
    sub_id = coerce.text(sub.get("id"), 80)
    if sub_id is None:
        return None
    wire_status = coerce.text(sub.get("status"), 40)
    return Subscription(
        id=sub_id,
        esim_id=coerce.text(sub.get("esimID"), 80),
        status=coerce.enum_or_unknown(
            SUBSCRIPTION_BY_WIRE, wire_status, SubscriptionStatus.UNKNOWN
        ),
        provider_status=wire_status,
        # Usually the order's own plan again: reuse what was parsed for it.
        plan=(
            parsed_plan
            if sub.get("plan") is not None and sub.get("plan") == order_plan
            else parse_plan(sub.get("plan"))
        ),
    )
