"""Zim's order rows read raw, as they stream by: filtered, counted and sorted without building
an `Order`, so that only the rows a page shows are ever parsed or held."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ...client import coerce
from ...client.base import AnchorKey
from ...errors import ProviderDataError
from ...models import Order, OrderFilter, OrderStatus, OrderType, Provider, make_ref, sort_key
from .wire import STATUS_BY_WIRE, TYPE_BY_WIRE, parse_order, parse_plan

__all__ = [
    "FindScan",
    "PageScan",
    "RowFacts",
    "VisitScan",
    "row_facts",
]

#: What `parse_order` may raise for a row it cannot read.
UNREADABLE = (ProviderDataError, TypeError, ValueError, KeyError)


@dataclass(frozen=True, slots=True)
class RowFacts:
    """What filtering and sorting need of a row, read exactly as `parse_order` reads it."""

    id: str
    status: OrderStatus
    type: OrderType
    created_at: datetime | None
    #: `newest_first_key(parse_order(row))`, computed without the model.
    key: AnchorKey


def row_facts(row: Any) -> RowFacts | None:
    """The row's facts, or None for a row `parse_order` refuses (not an object, no id)."""
    if not isinstance(row, dict):
        return None
    order_id = coerce.text(row.get("id"), 80)
    if order_id is None:
        return None
    created_at = coerce.timestamp(row.get("createdAt"))
    return RowFacts(
        id=order_id,
        status=_STATUSES.read(row.get("status")),
        type=_TYPES.read(row.get("type")),
        created_at=created_at,
        key=sort_key(created_at, make_ref(Provider.ZIM, order_id)),
    )


class _EnumReader:
    """A wire enum read as `parse_order` reads it, remembered per raw value: an account's
    hundred thousand rows carry a handful of statuses, each cleaned once, not every time."""

    MAX_REMEMBERED = 256

    def __init__(self, table: dict[str, Any], cap: int, unknown: Any) -> None:
        self._table, self._cap, self._unknown = table, cap, unknown
        self._seen: dict[str, Any] = {}

    def read(self, value: Any) -> Any:
        if type(value) is str and value in self._seen:
            return self._seen[value]
        read = coerce.enum_or_unknown(self._table, coerce.text(value, self._cap), self._unknown)
        if type(value) is str and len(self._seen) < self.MAX_REMEMBERED:
            self._seen[value] = read
        return read


_STATUSES = _EnumReader(STATUS_BY_WIRE, 60, OrderStatus.UNKNOWN)
_TYPES = _EnumReader(TYPE_BY_WIRE, 40, OrderType.UNKNOWN)


def facts_match(order_filter: OrderFilter, facts: RowFacts) -> bool:
    """`OrderFilter.matches` on the facts: status, type and creation time. The caller checks
    the provider; ICCID and code no Zim order carries; text and destination `plan_matches`
    checks after these (only rows that pass them get their plan read)."""
    if order_filter.statuses is not None and facts.status not in order_filter.statuses:
        return False
    if order_filter.type is not None and facts.type != order_filter.type:
        return False
    if order_filter.created_after is None and order_filter.created_before is None:
        return True
    if facts.created_at is None:
        return False
    if order_filter.created_after is not None and facts.created_at < order_filter.created_after:
        return False
    return order_filter.created_before is None or facts.created_at < order_filter.created_before


class _Counting(Protocol):
    order_filter: OrderFilter
    unreadable: int


def _matching(scan: _Counting, row: Any) -> RowFacts | None:
    """The row's facts when it matches the scan's filter; a row no order can be read from is
    counted unreadable on the scan."""
    facts = row_facts(row)
    if facts is None:
        scan.unreadable += 1
        return None
    if not facts_match(scan.order_filter, facts):
        return None
    return facts if plan_matches(scan.order_filter, row) else None


def plan_matches(order_filter: OrderFilter, row: dict[str, Any]) -> bool:
    """The filter's text and destination on the row's plan, read as `parse_order` reads it
    (Zim orders have no description); no plan is read when the filter has neither."""
    if not order_filter.by_plan:
        return True
    plan = parse_plan(row.get("plan"), plan_id=coerce.text(row.get("planID"), 80))
    return order_filter.matches_plan(None, plan)


@dataclass(eq=False, slots=True)
class _Kept:
    """A row the page may show; the heap's top is the oldest kept, the first to give way."""

    key: AnchorKey
    row: dict[str, Any]

    def __lt__(self, other: _Kept) -> bool:
        return self.key > other.key


@dataclass
class PageScan:
    """One pass for a page: the `limit` newest matching rows past `anchor` in a bounded heap,
    and the matching rows counted, by status too. Call it with each row."""

    order_filter: OrderFilter
    anchor: AnchorKey | None
    limit: int
    scanned: int = 0
    unreadable: int = 0
    #: Matching rows, in all and by status.
    total: int = 0
    by_status: Counter[OrderStatus] = field(default_factory=Counter)
    #: Matching rows past the anchor, and whether the anchor itself was among the matching.
    past_anchor: int = 0
    anchor_seen: bool = False
    more: bool = False
    _heap: list[_Kept] = field(default_factory=list)

    def __call__(self, row: Any) -> None:
        self.scanned += 1
        facts = _matching(self, row)
        if facts is None:
            return
        self.total += 1
        self.by_status[facts.status] += 1
        key = facts.key
        if self.anchor is not None and key <= self.anchor:
            self.anchor_seen = self.anchor_seen or key == self.anchor
            return
        self.past_anchor += 1
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, _Kept(key, row))
        elif self._heap and key < self._heap[0].key:
            heapq.heapreplace(self._heap, _Kept(key, row))

    def orders(self, *, personal_data: bool) -> list[Order]:
        """The kept rows as orders, newest first. A row that passed the facts but that
        `parse_order` still refuses is counted unreadable instead (the page is one shorter;
        the next one starts after the last order shown, so nothing is skipped). Sets `more`:
        matching rows remain past the kept ones."""
        self.more = self.past_anchor > len(self._heap)
        orders = []
        for kept in sorted(self._heap, key=lambda k: k.key):
            try:
                orders.append(parse_order(kept.row, personal_data=personal_data))
            except UNREADABLE:
                self.unreadable += 1
                self.total -= 1
                self.past_anchor -= 1
                facts = row_facts(kept.row)
                if facts is not None:
                    self.by_status[facts.status] -= 1
        self._heap.clear()
        return orders


@dataclass
class VisitScan:
    """Every matching row as an order, handed to `visit` and dropped: one order held at a
    time, whatever the account holds."""

    order_filter: OrderFilter
    personal_data: bool
    visit: Callable[[Order], None]
    visited: int = 0
    unreadable: int = 0

    def __call__(self, row: Any) -> None:
        if _matching(self, row) is None:
            return
        try:
            order = parse_order(row, personal_data=self.personal_data)
        except UNREADABLE:
            self.unreadable += 1
            return
        self.visit(order)
        self.visited += 1


@dataclass
class FindScan:
    """The row of one order id, the first one seen; nothing else is kept."""

    order_id: str
    row: Any = None

    def __call__(self, row: Any) -> None:
        if (
            self.row is None
            and isinstance(row, dict)
            and coerce.text(row.get("id"), 80) == self.order_id
        ):
            self.row = row
