"""PressOne's order list read lazily: the provider pages one page of ours needs, no more.

A walk is PressOne's list read row by row in its own order, newest first whatever that order
is: forwards from row 0 when the list runs newest first, backwards from its last row when it
runs oldest first (the upstream does not document which; page 1's `created_at` values tell).
Its position is the absolute index of the next row, so a cursor carries it to any worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from ...client.base import AnchorKey, Position, ProviderPage
from ...models import OrderFilter, Provider, newest_first_key
from .wire import STATUS_BY_SLUG, Page

__all__ = [
    "PAGE_BUDGET",
    "Walk",
    "filters_exactly",
    "first_walk",
    "read_after",
    "runs_newest_first",
]

#: Provider pages one call may read while a filter is applied locally; past it the call
#: answers what it found, with a position to continue from.
PAGE_BUDGET = 10

FetchPage = Callable[[int], Awaitable[Page]]


@dataclass(frozen=True)
class Walk:
    """Where a reading of PressOne's list stands."""

    newest_first: bool
    next_row: int  # absolute index, in PressOne's order, of the next row to read
    total: int | None  # the list's `meta.total` when the walk began
    per_page: int
    anchor: AnchorKey | None = None  # the last order taken, to skip repeats after a change
    matched: int = 0  # matching orders taken so far
    # Without a paginator (no `meta.total`), the first order of the page last read: a gateway
    # that ignores `page` answers it again, which ends the walk instead of repeating it.
    head: str | None = None

    @property
    def ended(self) -> bool:
        if self.newest_first:
            return self.total is not None and self.next_row >= self.total
        return self.next_row < 0

    def moved(self, row: int) -> Walk:
        """The walk past `row`."""
        return replace(self, next_row=row + 1 if self.newest_first else row - 1)

    def to_position(self) -> Position:
        return {
            "d": "n" if self.newest_first else "o",
            "r": self.next_row,
            "t": self.total,
            "pp": self.per_page,
            "k": list(self.anchor) if self.anchor else None,
            "m": self.matched,
            **({"h": self.head} if self.head else {}),
        }

    @classmethod
    def from_position(cls, position: Position) -> Walk:
        """The walk a position describes; ValueError when it is not one of ours."""
        try:
            anchor = position["k"]
            walk = cls(
                newest_first={"n": True, "o": False}[position["d"]],
                next_row=_int(position["r"], low=-1),
                total=None if position["t"] is None else _int(position["t"]),
                per_page=_int(position["pp"], low=1),
                anchor=None if anchor is None else _anchor(anchor),
                matched=_int(position["m"]),
                head=_ref(position.get("h")),
            )
        except (KeyError, TypeError, ValueError):
            raise ValueError("not a PressOne listing position") from None
        return walk


def _int(value: Any, *, low: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value < 10**12:
        raise ValueError("out of range")
    return value


def _ref(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 80):
        raise ValueError("not a ref")
    return value


def _anchor(value: Any) -> AnchorKey:
    missing, sort_ts, ref = value
    if not isinstance(missing, bool) or not isinstance(sort_ts, int) or not isinstance(ref, str):
        raise ValueError("not a sort key")
    return (missing, sort_ts, ref)


def runs_newest_first(page: Page) -> bool:
    """Whether the list runs newest first, told from one page's creation times (ties and
    pages without times count as newest first, the upstream's likely default)."""
    times = [o.created_at for o in page.orders if o.created_at is not None]
    return len(times) < 2 or times[0] >= times[-1]


def first_walk(first: Page) -> Walk:
    """The walk a listing starts with, told from its page 1."""
    if runs_newest_first(first) or (first.last_page or 1) <= 1:
        return Walk(True, 0, first.total, first.per_page)
    rows = first.total if first.total is not None else first.per_page * (first.last_page or 1)
    return Walk(False, rows - 1, first.total, first.per_page)


def filters_exactly(order_filter: OrderFilter) -> bool:
    """Whether PressOne's own query applies the whole filter, so `meta.total` is exact.

    It has no type filter, and filters one status slug at a time (REFUNDED is two slugs)."""
    if order_filter.type is not None:
        return False
    statuses = order_filter.statuses
    if statuses is None:
        return True
    slugs = [slug for slug, status in STATUS_BY_SLUG.items() if status in statuses]
    return len(slugs) == 1 and statuses == {STATUS_BY_SLUG[slugs[0]]}


async def read_after(
    provider: Provider,
    walk: Walk,
    fetch: FetchPage,
    order_filter: OrderFilter,
    limit: int,
    *,
    budget: int = PAGE_BUDGET,
) -> ProviderPage:
    """Up to `limit` matching orders from `walk` on, reading at most `budget` pages.

    A `meta.total` other than the walk's says the list moved: the caller is told
    (`changed`), a newest-first walk shifts by the orders added in front, and orders sorting
    before the last one shown are skipped, so nothing is shown twice.
    """
    answer = ProviderPage(provider)
    last_read: AnchorKey | None = None
    pages = 0
    while not walk.ended and len(answer.orders) < limit and pages < budget:
        number = walk.next_row // walk.per_page + 1
        page = await fetch(number)
        pages += 1
        if page.total is not None and walk.total is not None and page.total != walk.total:
            answer.changed = True
            grown = page.total - walk.total if walk.newest_first else 0
            walk = replace(walk, total=page.total, next_row=max(0, walk.next_row + grown))
            continue
        first_row = (number - 1) * walk.per_page
        rows = page.orders
        if walk.total is None and rows and walk.next_row == first_row:
            if rows[0].ref == walk.head:
                walk = replace(walk, next_row=first_row, total=first_row)  # `page` ignored
                break
            walk = replace(walk, head=rows[0].ref)
        answer.unreadable += page.unreadable
        if walk.newest_first:
            indices = range(walk.next_row - first_row, len(rows))
        else:
            indices = range(min(walk.next_row - first_row, len(rows) - 1), -1, -1)
        for index in indices:
            order = rows[index]
            answer.scanned += 1
            last_read = key = newest_first_key(order)
            walk = walk.moved(first_row + index)
            if answer.changed and walk.anchor is not None and key <= walk.anchor:
                continue  # shown before the list moved
            if order_filter.matches(order):
                walk = replace(walk, anchor=key, matched=walk.matched + 1)
                answer.orders.append(order)
                answer.positions.append(walk.to_position())
                if len(answer.orders) == limit:
                    break
        else:
            walk = _past_page(walk, first_row, len(rows) + page.unreadable)
    answer.more = not walk.ended
    answer.total = walk.total
    answer.resume = walk.to_position() if answer.more else None
    if answer.more and len(answer.orders) < limit:
        answer.frontier = last_read or walk.anchor
    return answer


def _past_page(walk: Walk, first_row: int, rows_on_page: int) -> Walk:
    """The walk once a whole page is read; a short page ends a newest-first list."""
    if not walk.newest_first:
        return replace(walk, next_row=first_row - 1)
    if rows_on_page < walk.per_page:
        end = first_row + rows_on_page
        return replace(walk, next_row=end, total=end)
    return replace(walk, next_row=first_row + walk.per_page)
