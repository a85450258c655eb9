"""visit_orders: every order matching `list_orders`' filters, each handed to a callback once.

Not an MCP tool (a model reads pages): the notebook's charts and CSV export use it to read a
whole account in bounded memory, each order summarised as `list_orders` shows it, in no
particular order, and dropped once the callback returned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from pydantic import Field

from ..failures.engine import explain_order
from ..models import Order, OrderStatus, Provider
from ..service.orders import OrderService
from ..service.visits import StopVisit
from .errors import provider_issues
from .list_orders import filter_of
from .views import OrderSummary, ProviderIssue, View

__all__ = ["ProviderCounts", "StopVisit", "VisitedOrders", "visit_orders"]

#: The statuses an order waits in; only these are read against the stuck thresholds.
WAITING = frozenset({OrderStatus.PENDING, OrderStatus.PROCESSING})
COUNTED = ("orders", "today", "failed", "stuck")


class ProviderCounts(View):
    """One provider's visited orders counted as a dashboard's tiles show them."""

    provider: Provider
    orders: int = 0
    today: int = Field(0, description="Created since midnight UTC of the service's clock.")
    failed: int = 0
    stuck: int = Field(0, description="Waiting past the thresholds, as explain_failure says.")


class VisitedOrders(View):
    """How many orders were visited, counted per provider on the way, and the providers
    that could not answer (fully)."""

    visited: int
    counts: list[ProviderCounts] = Field(default_factory=list)
    provider_errors: list[ProviderIssue] = Field(default_factory=list)


async def visit_orders(
    service: OrderService, visit: Callable[[OrderSummary], None], **filters: Any
) -> VisitedOrders:
    """Call `visit` with the summary of every order matching `filters` (`list_orders`'
    filter arguments). Raises the providers' error when every asked provider failed, as
    `list_orders` does; `StopVisit` from `visit` stops the walk and is raised.

    On the way it counts, per provider, the orders created today, failed, and stuck now (a
    waiting order read by the diagnosis engine at the service's clock and thresholds): a
    dashboard's tiles from the same single reading as its charts."""
    order_filter = filter_of(**filters)
    now = service.now()
    today = now.astimezone(UTC).date()
    tallies = {p: [0, 0, 0, 0] for p in service.providers}  # orders, today, failed, stuck

    def summarise(order: Order) -> None:
        tally = tallies[order.provider]
        tally[0] += 1
        if order.created_at is not None and order.created_at.astimezone(UTC).date() == today:
            tally[1] += 1
        if order.status is OrderStatus.FAILED:
            tally[2] += 1
        elif order.status in WAITING:
            tally[3] += explain_order(order, now, service.thresholds).outcome == "stuck"
        visit(OrderSummary.of(order))

    visited = await service.visit_all(order_filter, summarise)
    asked = [p for p in service.providers if order_filter.wants(p)]
    issues = provider_issues(visited.errors, asked)
    counts = [
        ProviderCounts(provider=p, **dict(zip(COUNTED, tallies[p], strict=True))) for p in asked
    ]
    return VisitedOrders(visited=visited.total, counts=counts, provider_errors=issues)
