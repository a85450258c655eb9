"""The list_orders tool: a filtered, paginated listing over every configured provider."""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, time
from typing import Annotated

from pydantic import ConfigDict, Field, validate_call

from ..models import OrderFilter, OrderStatus, OrderType, Provider, newest_first_key
from ..service.orders import OrderService
from . import cursor as cursors
from .errors import ToolInputError, describe
from .views import OrderPage, OrderSummary, ProviderIssue

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@validate_call(config=ConfigDict(arbitrary_types_allowed=True))
async def list_orders(
    service: OrderService,
    provider: Annotated[
        Provider | None, Field(description="Only this provider's orders; both when omitted.")
    ] = None,
    status: Annotated[
        list[OrderStatus] | None,
        Field(
            description="Only orders in one of these normalized statuses.",
            min_length=1,
            max_length=8,
        ),
    ] = None,
    type: Annotated[OrderType | None, Field(description="Only orders of this type.")] = None,
    created_after: Annotated[
        date | None,
        Field(description="Only orders created on or after this day (YYYY-MM-DD, UTC)."),
    ] = None,
    created_before: Annotated[
        date | None,
        Field(description="Only orders created before this day (YYYY-MM-DD, UTC, exclusive)."),
    ] = None,
    iccid: Annotated[
        str | None,
        Field(
            description="eSIM ICCID or a part of it (digits). Only PressOne orders carry ICCIDs.",
            min_length=4,
            max_length=22,
            pattern=r"^[0-9]+$",
        ),
    ] = None,
    code: Annotated[
        str | None,
        Field(
            description="Order code or a part of it, e.g. 20230227-009666 (PressOne only).",
            min_length=2,
            max_length=40,
        ),
    ] = None,
    text: Annotated[
        str | None,
        Field(
            description="Words to find in the order description (PressOne only).",
            min_length=2,
            max_length=100,
        ),
    ] = None,
    limit: Annotated[
        int, Field(description="Orders per page, 1 to 100.", ge=1, le=MAX_LIMIT)
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Field(description="next_cursor from the previous page.", min_length=1, max_length=400),
    ] = None,
) -> OrderPage:
    """Orders newest first, with a cursor for the next page and per-provider errors."""
    if created_after and created_before and created_before <= created_after:
        raise ToolInputError("created_before", "must be a later day than created_after")
    order_filter = OrderFilter(
        providers=frozenset({provider}) if provider else None,
        statuses=frozenset(status) if status else None,
        type=type,
        created_after=_start_of(created_after),
        created_before=_start_of(created_before),
        iccid=iccid,
        code=code,
        text=text,
    )
    anchor = cursors.decode(cursor, order_filter) if cursor else None
    listing = await service.list_orders(order_filter)
    asked = [p for p in service.providers if order_filter.wants(p)]
    if listing.errors and all(p in listing.errors for p in asked):
        # Nothing to show: the caller needs the failure itself, not an empty page.
        raise next(iter(listing.errors.values()))
    orders = listing.orders
    start = 0
    if anchor is not None:
        start = bisect.bisect_right([newest_first_key(o) for o in orders], anchor)
    page = orders[start : start + limit]
    remaining = len(orders) - start - len(page)
    issues = [
        ProviderIssue(
            provider=p,
            error=describe(e),
            retry_after_seconds=getattr(e, "retry_after", None),
        )
        for p, e in listing.errors.items()
    ]
    issues += [
        ProviderIssue(provider=p, error=f"{n} order(s) could not be read and are left out.")
        for p, n in listing.unreadable.items()
    ]
    return OrderPage(
        orders=[OrderSummary.of(o) for o in page],
        returned=len(page),
        total=listing.total,
        remaining=remaining if not listing.errors else None,
        next_cursor=cursors.encode(order_filter, page[-1]) if page and remaining > 0 else None,
        provider_errors=issues,
    )


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None
