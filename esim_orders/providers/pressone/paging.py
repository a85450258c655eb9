"""PressOne's order list read lazily: the provider pages one page of ours needs, no more.

A walk reads PressOne's pages in the order that yields newest first: forwards from page 1
when the list runs newest first, backwards from its last page when it runs oldest first (the
upstream does not document which; page 1's `created_at` values tell). Each page is sorted
newest first (ties by ref, as every listing sorts), so a walk's position is a page and how
many of its sorted orders were passed, and a cursor carries it to any worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from ...client.base import AnchorKey, Position, ProviderPage, anchor_of
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
    page: int  # the provider page the walk is in, 1-based
    offset: int  # orders of that page (sorted newest first) already passed
    total: int | None  # the list's `meta.total` as last read
    per_page: int
    last: int | None  # the last page, once known (the paginator's, or a short page)
    anchor: AnchorKey | None = None  # the last order taken, to skip repeats after a change
    matched: int = 0  # matching orders taken so far
    # Without a paginator (no `meta.total`), the first order of the page last read: a gateway
    # that ignores `page` answers it again, which ends the walk instead of repeating it.
    head: str | None = None

    @property
    def ended(self) -> bool:
        if not self.newest_first:
            return self.page < 1
        return self.last is not None and self.page > self.last

    def next_page(self) -> Walk:
        return replace(self, page=self.page + (1 if self.newest_first else -1), offset=0)

    def shifted(self, rows: int) -> Walk:
        """The walk `rows` further on (orders added in front of a newest-first list)."""
        page, offset = divmod((self.page - 1) * self.per_page + self.offset + rows, self.per_page)
        return replace(self, page=page + 1, offset=offset)

    def to_position(self) -> Position:
        return {
            "d": "n" if self.newest_first else "o",
            "p": self.page,
            "o": self.offset,
            "t": self.total,
            "pp": self.per_page,
            "l": self.last,
            "k": list(self.anchor) if self.anchor else None,
            "m": self.matched,
            **({"h": self.head} if self.head else {}),
        }

    @classmethod
    def from_position(cls, position: Position) -> Walk:
        """The walk a position describes; ValueError when it is not one of ours."""
        try:
            anchor, total, last = position["k"], position["t"], position["l"]
            walk = cls(
                newest_first={"n": True, "o": False}[position["d"]],
                page=_int(position["p"]),
                offset=_int(position["o"]),
                total=None if total is None else _int(total),
                per_page=_int(position["pp"], low=1),
                last=None if last is None else _int(last),
                anchor=None if anchor is None else anchor_of({"after": anchor}),
                matched=_int(position["m"]),
                head=_ref(position.get("h")),
            )
        except (KeyError, TypeError, ValueError):
            raise ValueError("not a PressOne listing position") from None
        return walk


def _int(value: Any, *, low: int = 0) -> int:
    # The cursor's MAC key is no secret: a crafted position stays within sane numbers.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value < 10**9:
        raise ValueError("out of range")
    return value


def _ref(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 80):
        raise ValueError("not a ref")
    return value


def runs_newest_first(page: Page) -> bool:
    """Whether the list runs newest first, told from one page's creation times (ties and
    pages without times count as newest first, the upstream's likely default)."""
    times = [o.created_at for o in page.orders if o.created_at is not None]
    return len(times) < 2 or times[0] >= times[-1]


def first_walk(first: Page) -> Walk:
    """The walk a listing starts with, told from its page 1."""
    last = first.last_page
    if first.total is not None and last is None:
        last = max(1, -(-first.total // first.per_page))
    if runs_newest_first(first) or (last or 1) <= 1:
        return Walk(True, 1, 0, first.total, first.per_page, last)
    return Walk(False, last or 1, 0, first.total, first.per_page, last)


def applies_all_but_statuses(order_filter: OrderFilter) -> bool:
    """Whether PressOne's own query applies every part of the filter but its statuses: it has
    no type filter, and none on the plan (`text` finds plan names too)."""
    return order_filter.type is None and not order_filter.by_plan


def filters_exactly(order_filter: OrderFilter) -> bool:
    """Whether PressOne's own query applies the whole filter, so `meta.total` is exact: all
    but the statuses (`applies_all_but_statuses`), and one status slug at a time (REFUNDED is
    two slugs)."""
    if not applies_all_but_statuses(order_filter):
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
        page = await fetch(walk.page)
        pages += 1
        if page.total is not None and walk.total is not None and page.total != walk.total:
            answer.changed = True
            grown = page.total - walk.total if walk.newest_first else 0
            last = page.last_page or max(1, -(-page.total // walk.per_page))
            walk = replace(walk.shifted(max(grown, 0)), total=page.total, last=last)
            continue
        if walk.total is None and page.orders and walk.offset == 0:
            if page.orders[0].ref == walk.head:
                walk = replace(walk, last=walk.page - 1)  # `page` ignored: the list ends
                break
            walk = replace(walk, head=page.orders[0].ref)
        answer.unreadable += page.unreadable
        rows = sorted(page.orders, key=newest_first_key)
        for index in range(walk.offset, len(rows)):
            order = rows[index]
            answer.scanned += 1
            last_read = key = newest_first_key(order)
            walk = replace(walk, offset=index + 1)
            if answer.changed and walk.anchor is not None and key <= walk.anchor:
                continue  # shown before the list moved
            if order_filter.matches(order):
                walk = replace(walk, anchor=key, matched=walk.matched + 1)
                answer.orders.append(order)
                answer.positions.append(walk.to_position())
                if len(answer.orders) == limit:
                    break
        else:
            short = len(page.orders) + page.unreadable < walk.per_page
            if walk.newest_first and short:
                walk = replace(walk, last=walk.page)  # a short page is the last
            walk = walk.next_page()
    answer.more = not walk.ended
    answer.total = walk.total
    answer.resume = walk.to_position() if answer.more else None
    if answer.more and len(answer.orders) < limit:
        answer.frontier = last_read or walk.anchor
    return answer
