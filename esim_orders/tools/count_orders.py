"""count_orders: how many orders match `list_orders`' filters, by provider and status,
without listing them.

Not an MCP tool (`list_orders` already answers its total): a function for notebooks and
scripts that ask "how many" at the cost of a few provider requests, whatever the account
holds. The explorer does not call it: its tiles and charts need each order's day, age and
cause, which only a reading of every matching order gives (`visit_orders`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..models import OrderStatus, Provider
from ..service.orders import OrderService
from .errors import provider_issues
from .list_orders import filter_of
from .views import ProviderIssue, View

__all__ = ["OrderCounts", "count_orders"]


class OrderCounts(View):
    """Matching orders by provider and status (statuses with none left out). A provider in
    `uncounted` can only count by reading every order (ask `visit_orders`); one in
    `provider_errors` could not answer."""

    by_provider: dict[Provider, dict[OrderStatus, int]] = Field(default_factory=dict)
    uncounted: list[Provider] = Field(default_factory=list)
    provider_errors: list[ProviderIssue] = Field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.uncounted and not self.provider_errors

    def of(self, status: OrderStatus | None = None, provider: Provider | None = None) -> int:
        """Orders with `status` (any when None) at `provider` (every counted one when None)."""
        return sum(
            n
            for each, counts in self.by_provider.items()
            if provider is None or each == provider
            for counted, n in counts.items()
            if status is None or counted == status
        )


async def count_orders(service: OrderService, **filters: Any) -> OrderCounts:
    """The counts for `filters` (`list_orders`' filter arguments). Raises the providers'
    error when every asked provider failed, as `list_orders` does."""
    order_filter = filter_of(**filters)
    counted = await service.count_by_status(order_filter)
    asked = [p for p in service.providers if order_filter.wants(p)]
    issues = provider_issues(counted.errors, asked)
    return OrderCounts(
        by_provider=counted.counts, uncounted=counted.uncounted, provider_errors=issues
    )
