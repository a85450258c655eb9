"""PressOne's wire format: its list query, envelopes, and order rows read into the model."""

from __future__ import annotations

import html
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ...client import coerce
from ...client.base import shape_error
from ...errors import ProviderDataError, ProviderError
from ...models import (
    Allowance,
    Customer,
    Esim,
    Money,
    Order,
    OrderFilter,
    OrderStatus,
    OrderType,
    Plan,
    Provider,
)
from ...redact import redact_payload

log = logging.getLogger(__name__)


INCLUDE = "sims,user,status"
PAGE_SIZE = 100
STATUS_BY_SLUG = {
    "completed": OrderStatus.COMPLETED,
    "failed": OrderStatus.FAILED,
    "refunded": OrderStatus.REFUNDED,
    "partially_refunded": OrderStatus.REFUNDED,
}
TYPE_BY_WIRE = {"sim": OrderType.ONE_OFF, "topup": OrderType.TOP_UP}
# ISO 4217 currencies without two decimals; the rest have two.
CURRENCY_EXPONENTS = {
    **dict.fromkeys(("JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG"), 0),
    **dict.fromkeys(("BHD", "KWD", "JOD", "OMR", "TND", "IQD", "LYD"), 3),
}


class Page:
    """One page of the order list, read: its orders, and what its paginator said."""

    def __init__(
        self,
        orders: list[Order],
        last_page: int | None,
        per_page: int,
        unreadable: int,
        total: int | None = None,
    ) -> None:
        self.orders = orders
        self.last_page = last_page
        self.per_page = per_page
        self.unreadable = unreadable
        self.total = total


def unwrap(payload: Any, provider: Provider) -> Any:
    """Strip PressOne's gateway envelope (`{success, code, message, data}`) when present."""
    if isinstance(payload, dict) and isinstance(payload.get("success"), bool):
        if not payload["success"]:
            message = coerce.text(payload.get("message"), 300) or "request failed"
            raise ProviderError(provider, message, code=coerce.text(payload.get("code"), 40))
        return payload.get("data")
    return payload


def upstream_data(payload: Any) -> tuple[Any, dict[str, Any]]:
    """The upstream's `data` and `meta` from any success shape PressOne may send.

    Whether its gateway wraps successful answers is undocumented, so all three are read, for
    every endpoint: the bare upstream body `{data, meta}`; the envelope around it,
    `{success, data: {data, meta}}`; and the envelope around the upstream's data alone,
    `{success, data: <data>}` (no `meta` then). An order has a `data` field of its own
    ("1 GB"), so a body is told from the data it holds by its `meta` or `links`, or by
    having no `id`.
    """
    body = unwrap(payload, Provider.PRESSONE)
    if isinstance(body, dict) and "data" in body and _is_upstream_body(body):
        return body["data"], coerce.mapping(body.get("meta"))
    return body, {}


def _is_upstream_body(body: dict[str, Any]) -> bool:
    return "meta" in body or "links" in body or "id" not in body


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def list_query(order_filter: OrderFilter) -> dict[str, str] | None:
    """The server-side part of a filter, or None when PressOne cannot have a match."""
    if not order_filter.wants(Provider.PRESSONE):
        return None
    params = {"include": INCLUDE, "limit": str(PAGE_SIZE)}
    statuses = order_filter.statuses
    if statuses is not None:
        slugs = [slug for slug, status in STATUS_BY_SLUG.items() if status in statuses]
        if OrderStatus.UNKNOWN not in statuses:
            if not slugs:
                return None
            if len(slugs) == 1:
                params["filter[order_status]"] = slugs[0]
    if order_filter.type not in (None, OrderType.UNKNOWN, *TYPE_BY_WIRE.values()):
        return None  # e.g. RECURRING: PressOne has no such orders
    after, before = order_filter.created_after, order_filter.created_before
    if after is not None or before is not None:
        first = after.astimezone(UTC).date() if after else datetime(2000, 1, 1).date()
        if before is not None and before.astimezone(UTC) <= _EARLIEST:
            return None  # nothing is older than the first moment a datetime can hold
        last = (
            (before.astimezone(UTC) - timedelta(microseconds=1)).date()
            if before
            else datetime(9999, 12, 31).date()
        )
        if last < first:
            return None
        params["filter[created_at]"] = f"{first.isoformat()} - {last.isoformat()}"
    # `text` is not sent as `filter[description]`: it also finds the plan's name and place,
    # which PressOne cannot filter on, so it is checked locally (`OrderFilter.matches`).
    for key, value in (
        ("filter[iccid]", order_filter.iccid),
        ("filter[code]", order_filter.code),
    ):
        if value:
            params[key] = value
    return params


def parse_page(payload: Any, *, personal_data: bool = False) -> Page:
    rows, meta = upstream_data(payload)
    if not isinstance(rows, list):
        raise shape_error(Provider.PRESSONE, "order list without a data array")
    orders, unreadable = [], 0
    for row in rows:
        try:
            orders.append(parse_order(row, personal_data=personal_data))
        except (ProviderDataError, TypeError, ValueError, KeyError):
            unreadable += 1
    if unreadable:
        log.warning("pressone: %d order(s) on a page could not be read", unreadable)
    per_page = coerce.integer(meta.get("per_page")) or len(rows) or PAGE_SIZE
    last_page, total = coerce.integer(meta.get("last_page")), coerce.integer(meta.get("total"))
    return Page(orders, last_page, per_page, unreadable, total)


def parse_order(row: Any, *, personal_data: bool = False) -> Order:
    """One PressOne ORDER into the normalized model; tolerant of every optional field."""
    if not isinstance(row, dict):
        raise shape_error(Provider.PRESSONE, "order is not an object")
    order_id = coerce.text(row.get("id"), 40)
    if order_id is None:
        raise shape_error(Provider.PRESSONE, "order without an id")
    status_obj = row.get("status")
    slug = (
        coerce.text(status_obj.get("slug"), 60)
        if isinstance(status_obj, dict)
        else coerce.text(status_obj, 60)
    )
    wire_type = coerce.text(row.get("type"), 40)
    quantity = coerce.integer(row.get("quantity"))
    return Order(
        provider=Provider.PRESSONE,
        id=order_id,
        code=coerce.text(row.get("code"), 60),
        status=coerce.enum_or_unknown(STATUS_BY_SLUG, slug, OrderStatus.UNKNOWN),
        provider_status=slug,
        type=coerce.enum_or_unknown(TYPE_BY_WIRE, wire_type, OrderType.UNKNOWN),
        provider_type=wire_type,
        created_at=coerce.timestamp(row.get("created_at")),
        updated_at=coerce.timestamp(row.get("updated_at")),
        description=coerce.text(row.get("description")),
        plan=_plan(row),
        quantity=quantity,
        price=money(row.get("price"), coerce.text(row.get("currency"), 8)),
        esims=[_esim(sim) for sim in coerce.items(row.get("sims")) if isinstance(sim, dict)],
        customer=_customer(row.get("user"), personal_data),
        raw=redact_payload(row, personal=not personal_data),
    )


def _plan(row: dict[str, Any]) -> Plan | None:
    name = coerce.text(row.get("package"), 200)
    package_id = coerce.text(row.get("package_id"), 200)
    if name is None and package_id is None:
        return None
    return Plan(
        id=package_id,
        name=name,
        destination=coverage(row),
        data=data_allowance(row.get("data")),
        validity_days=coerce.integer(row.get("validity")),
    )


# The upstream's installation guides open with the package's coverage:
# `<p><b>eSIM name:</b> Mzansi Data</p><p><b>Coverage:</b> South Africa</p>`.
_COVERAGE = re.compile(r"Coverage:\s*(?:</b>)?\s*([^<]{1,100}?)\s*<", re.IGNORECASE)


def coverage(row: dict[str, Any]) -> str | None:
    """The place the package covers, as its installation guide names it; PressOne's order
    has no field of its own for it (the package name names the operator, not the place)."""
    for key in ("manual_installation", "qrcode_installation"):
        guide = row.get(key)
        if isinstance(guide, str) and (found := _COVERAGE.search(guide[:2000])):
            return coerce.text(html.unescape(found.group(1)), 100)
    return None


def data_allowance(value: Any) -> Allowance | None:
    """'1 GB', '500 MB', 'Unlimited' into an allowance."""
    label = coerce.text(value, 40)
    if label is None:
        return None
    if label.lower().startswith("unlimited"):
        return Allowance(unlimited=True)
    number, _, unit = label.partition(" ")
    amount = coerce.decimal(number)
    if amount is None:
        return None
    return Allowance(amount=amount, unit=unit.strip() or None)


def money(value: Any, currency: str | None) -> Money | None:
    """A decimal price string into exact minor units, using the currency's exponent."""
    amount = coerce.decimal(value)
    if amount is None or not currency:
        return None
    currency = currency.upper()
    written = -int(amount.as_tuple().exponent)
    exponent = max(CURRENCY_EXPONENTS.get(currency, 2), written)
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value():
        return None
    return Money(minor_units=int(minor), currency=currency, exponent=min(exponent, 6))


def _esim(sim: dict[str, Any]) -> Esim:
    return Esim(
        iccid=coerce.text(sim.get("iccid"), 30),
        has_qrcode=bool(sim.get("qrcode")),
        has_matching_id=bool(sim.get("matching_id")),
        has_confirmation_code=bool(sim.get("confirmation_code")),
    )


def _customer(user: Any, personal_data: bool) -> Customer | None:
    if not isinstance(user, dict):
        return None
    customer_id = coerce.text(user.get("id"), 60)
    if not personal_data:
        return Customer(id=customer_id) if customer_id else None
    return Customer(
        id=customer_id,
        name=coerce.text(user.get("name"), 200),
        email=coerce.text(user.get("email"), 200),
        phone=coerce.text(user.get("mobile"), 40),
    )


__all__ = [
    "Page",
    "coverage",
    "data_allowance",
    "list_query",
    "money",
    "parse_order",
    "parse_page",
    "unwrap",
    "upstream_data",
]
