"""visit_orders: every order matching `list_orders`' filters, each handed to a callback once.

Not an MCP tool (a model reads pages): the notebook's charts and CSV export use it to read a
whole account in bounded memory, each order summarised as `list_orders` shows it, in no
particular order, and dropped once the callback returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import Field

from ..models import Order
from ..service.orders import OrderService
from ..service.visits import StopVisit
from .errors import provider_issues
from .list_orders import filter_of
from .views import OrderSummary, ProviderIssue, View

__all__ = ["StopVisit", "VisitedOrders", "visit_orders"]


class VisitedOrders(View):
    """How many orders were visited, and the providers that could not answer (fully)."""

    visited: int
    provider_errors: list[ProviderIssue] = Field(default_factory=list)


async def visit_orders(
    service: OrderService, visit: Callable[[OrderSummary], None], **filters: Any
) -> VisitedOrders:
    """Call `visit` with the summary of every order matching `filters` (`list_orders`'
    filter arguments). Raises the providers' error when every asked provider failed, as
    `list_orders` does; `StopVisit` from `visit` stops the walk and is raised."""
    order_filter = filter_of(**filters)

    def summarise(order: Order) -> None:
        visit(OrderSummary.of(order))

    visited = await service.visit_all(order_filter, summarise)
    asked = [p for p in service.providers if order_filter.wants(p)]
    issues = provider_issues(visited.errors, asked)
    return VisitedOrders(visited=visited.total, provider_errors=issues)
