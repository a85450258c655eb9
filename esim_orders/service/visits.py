"""Every matching order of every asked provider, visited once in bounded memory.

For readers that aggregate or write as they go (the explorer's charts and CSV export): a
listing walked page by page would re-read a provider that answers everything at once for
every page, and a list of the whole account costs what the account holds. Here each provider
hands its orders to one callback as it reads them, concurrently, and nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import anyio
from anyio.abc import TaskGroup

from ..client.base import ProviderClient
from ..errors import ProviderError
from ..models import Order, OrderFilter, Provider
from .pages import ask_provider

__all__ = ["StopVisit", "Visited", "visit_all"]


class StopVisit(Exception):
    """Raised by a visit callback to stop the whole walk (its reader moved on): every
    provider stops, and `visit_all` raises it again once they did."""


@dataclass
class Visited:
    """How many orders each provider handed on, and which providers could not answer (fully):
    a provider in `errors` may have visited some orders before it failed."""

    counts: dict[Provider, int] = field(default_factory=dict)
    errors: dict[Provider, ProviderError] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def visit_all(
    clients: Mapping[Provider, ProviderClient],
    order_filter: OrderFilter,
    visit: Callable[[Order], None],
) -> Visited:
    """Call `visit` with every matching order of every asked provider once, in no particular
    order (the providers run concurrently, on this loop: `visit` needs no lock). One provider
    failing spares the others; `StopVisit` from `visit` stops them all and is raised."""
    visited = Visited()
    stopped: list[StopVisit] = []

    def visit_until_stopped(order: Order) -> None:
        # A provider may hand on a batch of orders without yielding (a parsed piece of Zim's
        # body): once any visit stopped the walk, the rest of that batch is not visited.
        if stopped:
            raise stopped[0]
        try:
            visit(order)
        except StopVisit as stop:
            stopped.append(stop)
            raise

    async def one(provider: Provider, client: ProviderClient, group: TaskGroup) -> None:
        async def walk() -> int:
            try:
                return await client.visit_all(order_filter, visit_until_stopped)
            except StopVisit:
                group.cancel_scope.cancel()
                return 0

        answer = await ask_provider(client, "visiting every order", walk)
        if isinstance(answer, ProviderError):
            visited.errors[provider] = answer
        else:
            visited.counts[provider] = answer

    async with anyio.create_task_group() as group:
        for provider, client in clients.items():
            if order_filter.wants(provider):
                group.start_soon(one, provider, client, group)
    if stopped:
        raise stopped[0]
    return visited
