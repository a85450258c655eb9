"""PressOne's order list query: parsing and validating it as the upstream does, and filtering."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from starlette.datastructures import QueryParams

from esim_orders.sandbox.pressone_data import PressOneData, PressOneOrder

#: Page size when ``limit`` is absent: the value PressOne's own request example uses.
DEFAULT_LIMIT = 50
INCLUDES = ("sims", "user", "status")
TEXT_FILTERS = ("code", "iccid", "description")
FILTERS = frozenset({"created_at", "order_status", *TEXT_FILTERS})

#: Digits only, and few enough that int() never meets Python's huge-number guard.
POSITIVE_INT = re.compile(r"[0-9]{1,18}")
_DATE_RANGE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})\s*-\s*(\d{4}-\d{2}-\d{2})\s*")
_FILTER_KEY = re.compile(r"filter\[([^\]]*)\]")
#: Distinct filter combinations whose matches are kept, so paging through a filtered
#: result of 100,000 orders does not rescan them for every page.
_FILTER_CACHE_SIZE = 32


@dataclass(frozen=True)
class OrderQuery:
    """A validated order list query."""

    includes: tuple[str, ...]
    created: tuple[int, int] | None  # epoch seconds: from (inclusive), until (exclusive)
    code: str | None
    order_status: str | None
    iccid: str | None
    description: str | None
    limit: int
    page: int

    @property
    def filter_key(self) -> tuple[Any, ...]:
        return (
            self.created,
            self.code,
            self.order_status,
            self.iccid,
            self.description,
        )


def _positive_int(raw: str | None, default: int) -> int | None:
    if raw is None or raw == "":
        return default
    if not POSITIVE_INT.fullmatch(raw) or int(raw) < 1:
        return None
    return int(raw)


def parse_includes(params: QueryParams) -> tuple[str, ...] | None:
    """The asked relations; None when one is unknown (upstream rejects those)."""
    raw = params.get("include") or ""
    names = tuple(name.strip() for name in raw.split(",") if name.strip())
    return names if all(name in INCLUDES for name in names) else None


def _day_start(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def parse_order_query(params: QueryParams) -> OrderQuery | None:
    """Validate the list query as the upstream does; None means answer 4008."""
    includes = parse_includes(params)
    filters: dict[str, str] = {}
    for key, value in params.multi_items():
        match = _FILTER_KEY.fullmatch(key)
        if match is None:
            continue
        if match.group(1) not in FILTERS:
            return None
        if value.strip():  # an empty filter is no filter, as in Laravel's query builder
            filters[match.group(1)] = value.strip()
    limit = _positive_int(params.get("limit"), DEFAULT_LIMIT)
    page = _positive_int(params.get("page"), 1)
    if includes is None or limit is None or page is None:
        return None
    created = None
    if "created_at" in filters:
        match = _DATE_RANGE.fullmatch(filters["created_at"])
        if match is None:
            return None
        try:
            first, last = (date.fromisoformat(group) for group in match.groups())
        except ValueError:
            return None
        if first > last:
            return None
        # Both days are inclusive: the window ends at the start of the day after the last
        # (counted in seconds: the day after 9999-12-31 is no `date`).
        created = (_day_start(first), _day_start(last) + 86400)
    return OrderQuery(
        includes=includes,
        created=created,
        code=filters.get("code", "").lower() or None,
        order_status=filters.get("order_status", "").lower() or None,
        iccid=filters.get("iccid", "").lower() or None,
        description=filters.get("description", "").lower() or None,
        limit=limit,
        page=page,
    )


def _matches(order: PressOneOrder, query: OrderQuery) -> bool:
    if query.created is not None and not query.created[0] <= order.created < query.created[1]:
        return False
    if query.code is not None and query.code not in order.code.lower():
        return False
    if query.order_status is not None and order.status != query.order_status:
        return False
    if query.iccid is not None and not any(query.iccid in iccid for iccid in order.iccids):
        return False
    return query.description is None or (
        order.description is not None and query.description in order.description.lower()
    )


class OrderFinder:
    """Filters orders, remembering the last few filter combinations' matches."""

    def __init__(self, data: PressOneData) -> None:
        self.data = data
        self._cache: OrderedDict[tuple[Any, ...], list[PressOneOrder]] = OrderedDict()

    def find(self, query: OrderQuery) -> list[PressOneOrder]:
        key = query.filter_key
        if not any(part is not None for part in key):
            return self.data.orders
        found = self._cache.get(key)
        if found is None:
            found = [order for order in self.data.orders if _matches(order, query)]
            self._cache[key] = found
            if len(self._cache) > _FILTER_CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return found
