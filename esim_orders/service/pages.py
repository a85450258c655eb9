"""One page of orders across providers: each read from where it stood, merged newest first.

Nothing is kept between pages here: where each provider stands (`Standing`) travels in the
caller's cursor, so any worker continues any listing.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio

from ..client.base import Position, ProviderClient, ProviderPage
from ..errors import ProviderDataError, ProviderError, ReadOnlyViolation
from ..logs import ANSWERED
from ..models import Order, OrderFilter, Provider, newest_first_key

__all__ = ["OrdersPage", "Standing", "ask_provider", "read_page"]

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Standing:
    """Where one provider stands in a listing: its position (None: not started), whether it
    was read to its end, and its total as last told (exact, or at least that many)."""

    position: Position | None = None
    done: bool = False
    total: int | None = None
    exact: bool = True


@dataclass
class OrdersPage:
    """A page of orders, newest first, and where each provider stands after it."""

    orders: list[Order] = field(default_factory=list)
    standings: dict[Provider, Standing] = field(default_factory=dict)
    errors: dict[Provider, ProviderError] = field(default_factory=dict)
    unreadable: dict[Provider, int] = field(default_factory=dict)
    changed: list[Provider] = field(default_factory=list)
    scanned: int = 0

    @property
    def more(self) -> bool:
        return any(not s.done for s in self.standings.values()) or bool(self.errors)

    @property
    def total(self) -> int | None:
        """Matching orders over all providers (None when one failed or could not tell)."""
        totals = [s.total for s in self.standings.values()]
        if self.errors or any(t is None for t in totals):
            return None
        return sum(t for t in totals if t is not None)

    @property
    def total_exact(self) -> bool:
        return all(s.exact for s in self.standings.values())


async def ask_provider(
    client: ProviderClient, what: str, call: Callable[[], Awaitable[T]]
) -> T | ProviderError:
    """The provider's answer, or its named error: one provider failing spares the others."""
    try:
        return await call()
    except ProviderError as exc:
        log.warning("%s: %s failed: %s", client.provider, what, exc, extra=ANSWERED)
        return exc
    except ReadOnlyViolation:
        raise  # an attempt to write is a bug that must stay loud, never a provider issue
    except Exception:
        # A bug in one provider's reading must not take the others' answers with it.
        log.exception("%s: %s failed unexpectedly", client.provider, what)
        return ProviderDataError(
            client.provider, "its answer could not be read (an internal error, logged)"
        )


async def read_page(
    clients: Mapping[Provider, ProviderClient],
    order_filter: OrderFilter,
    limit: int,
    standings: Mapping[Provider, Standing] | None = None,
) -> OrdersPage:
    """The next `limit` matching orders after `standings` (None: the first page)."""
    before = dict(standings or {})
    asked = {
        p: c for p, c in clients.items() if order_filter.wants(p) and not before.get(p, _NEW).done
    }
    answers: dict[Provider, Any] = {}

    async def one(provider: Provider, client: ProviderClient) -> None:
        position = before.get(provider, _NEW).position
        answers[provider] = await ask_provider(
            client, "listing", lambda: client.page_after(order_filter, position, limit)
        )

    async with anyio.create_task_group() as group:
        for provider, client in asked.items():
            group.start_soon(one, provider, client)
    page = OrdersPage(standings={p: s for p, s in before.items() if p in clients})
    read: dict[Provider, ProviderPage] = {}
    for provider, answer in answers.items():
        if isinstance(answer, ProviderError):
            page.errors[provider] = answer
            page.standings.setdefault(provider, _NEW)
        else:
            read[provider] = answer
    taken = _merge(read, limit, page.orders)
    for provider, answer in read.items():
        page.standings[provider] = _after(before.get(provider, _NEW), answer, taken[provider])
        page.scanned += answer.scanned
        if answer.unreadable:
            page.unreadable[provider] = answer.unreadable
        if answer.changed:
            page.changed.append(provider)
    return page


_NEW = Standing()


def _merge(
    read: Mapping[Provider, ProviderPage], limit: int, out: list[Order]
) -> dict[Provider, int]:
    """Take up to `limit` orders newest first from the providers' answers into `out`; how
    many each gave. None is taken past a provider's frontier (it may hold older matches)."""
    taken = dict.fromkeys(read, 0)
    frontiers = [a.frontier for a in read.values() if a.frontier is not None]
    frontier = min(frontiers) if frontiers else None
    providers = list(read)
    heads = [(newest_first_key(a.orders[0]), i, 0) for i, a in enumerate(read.values()) if a.orders]
    heapq.heapify(heads)
    while heads and len(out) < limit:
        key, which, index = heads[0]
        if frontier is not None and key > frontier:
            break
        provider = providers[which]
        orders = read[provider].orders
        out.append(orders[index])
        taken[provider] += 1
        if index + 1 < len(orders):
            heapq.heapreplace(heads, (newest_first_key(orders[index + 1]), which, index + 1))
        else:
            heapq.heappop(heads)
    return taken


def _after(before: Standing, answer: ProviderPage, taken: int) -> Standing:
    """Where a provider stands once `taken` of its answer's orders were shown."""
    if taken == len(answer.orders):
        position, done = answer.resume, not answer.more
    else:
        position, done = (answer.positions[taken - 1] if taken else before.position), False
    return Standing(position, done, answer.total, answer.total_exact)
