"""How many orders match a filter, by provider and status, without listing them: each
provider counts the cheapest way it can (PressOne's paginator, Zim's one streamed pass)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import anyio

from ..client.base import ProviderClient
from ..errors import ProviderError
from ..models import OrderFilter, OrderStatus, Provider
from .pages import ask_provider

__all__ = ["StatusCounts", "count_by_status"]


@dataclass
class StatusCounts:
    """Matching orders by provider and status. A provider in `uncounted` could not tell
    without reading every order; one in `errors` failed to answer. Neither is in `counts`."""

    counts: dict[Provider, dict[OrderStatus, int]] = field(default_factory=dict)
    uncounted: list[Provider] = field(default_factory=list)
    errors: dict[Provider, ProviderError] = field(default_factory=dict)


async def count_by_status(
    clients: Mapping[Provider, ProviderClient], order_filter: OrderFilter
) -> StatusCounts:
    """Every wanted provider asked at once; one failing spares the others."""
    counted = StatusCounts()

    async def one(provider: Provider, client: ProviderClient) -> None:
        answer = await ask_provider(
            client, "counting", lambda: client.count_by_status(order_filter)
        )
        if isinstance(answer, ProviderError):
            counted.errors[provider] = answer
        elif answer is None:
            counted.uncounted.append(provider)
        else:
            counted.counts[provider] = answer

    async with anyio.create_task_group() as group:
        for provider, client in clients.items():
            if order_filter.wants(provider):
                group.start_soon(one, provider, client)
    return counted
