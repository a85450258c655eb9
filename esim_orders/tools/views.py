"""The listing's view models tools return: what every face (MCP text, CLI, HTML) renders."""

from __future__ import annotations

from pydantic import Field

from ..models import Order, OrderStatus, OrderType, Provider, Timestamp, View

__all__ = ["OrderPage", "OrderSummary", "ProviderIssue", "View"]


class OrderSummary(View):
    """One order in a listing: enough to pick it, nothing more."""

    ref: str = Field(description="Cross-provider order ref; pass it to get_order.")
    status: OrderStatus
    provider_status: str | None = Field(None, description="Status as the provider sent it.")
    type: OrderType
    created_at: Timestamp | None = None
    code: str | None = Field(None, description="The provider's human order code.")
    plan: str | None = None
    price: str | None = None
    esims: int | None = Field(None, description="Number of eSIMs issued, when any.")
    failure_reason: str | None = Field(None, description="Provider's failure reason code.")

    @classmethod
    def of(cls, order: Order) -> OrderSummary:
        return cls(
            ref=order.ref,
            status=order.status,
            provider_status=order.provider_status,
            type=order.type,
            created_at=order.created_at,
            code=order.code,
            plan=order.plan.name if order.plan else None,
            price=order.price.formatted if order.price else None,
            esims=len(order.esims) or None,
            failure_reason=order.failure.reason_code if order.failure else None,
        )


class ProviderIssue(View):
    """A provider that could not answer (fully): the rest of the answer still stands."""

    provider: Provider
    error: str = Field(description="What went wrong and what to do, in one sentence.")
    retry_after_seconds: float | None = None


class OrderPage(View):
    orders: list[OrderSummary]
    returned: int
    total: int | None = Field(
        None, description="Orders matching the filters over all providers, when all answered."
    )
    total_exact: bool = Field(
        True,
        description="False when a filter the provider cannot apply was applied while reading "
        "a bounded number of its orders: total is then the matches found so far (at least).",
    )
    scanned: int | None = Field(
        None, description="Provider orders read for this page, when total is not exact."
    )
    remaining: int | None = Field(None, description="Matching orders after this page.")
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; absent on the last page."
    )
    provider_errors: list[ProviderIssue] = Field(default_factory=list)
