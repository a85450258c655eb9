"""The list_orders tool: a filtered, paginated listing over every configured provider."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

from pydantic import ConfigDict, Field, validate_call

from ..models import OrderFilter, OrderStatus, OrderType, Provider
from ..service.orders import OrderService
from . import cursor as cursors
from .arguments import Statuses, Type
from .errors import ToolInputError, provider_issues
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
        Statuses | None,
        Field(description="Only orders in one of these normalized statuses (1 to 8)."),
    ] = None,
    type: Annotated[Type | None, Field(description="Only orders of this type.")] = None,
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
            description=(
                "Words to find, any case, in the order's description (PressOne), its plan's "
                "name (Zim: place, data and days, e.g. 'South Africa · 5 GB · 15 days'; "
                "PressOne: the package, e.g. 'Moshi Moshi-1 GB - 7 Days') or the plan's "
                "destination (Zim: the country; PressOne: the coverage its installation "
                "guide names). PressOne cannot filter on plans, so there it is checked on "
                "the pages read (a bounded number a call; the page says how many were read)."
            ),
            min_length=2,
            max_length=100,
        ),
    ] = None,
    destination: Annotated[
        str | None,
        Field(
            description=(
                "A country by name or ISO code (e.g. 'South Africa', 'ZA', 'ZAF'), or a "
                "region such as 'Europe': orders whose plan is for it, as the plan's "
                "destination, region or name names it (Zim: the plan's country and region; "
                "PressOne: the coverage its installation guide names, or the package name). "
                "Checked on the pages read, as text is."
            ),
            min_length=2,
            max_length=60,
        ),
    ] = None,
    limit: Annotated[
        int, Field(description="Orders per page, 1 to 100.", ge=1, le=MAX_LIMIT)
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Field(
            description="next_cursor from the previous page.",
            min_length=1,
            max_length=cursors.MAX_CURSOR,
        ),
    ] = None,
) -> OrderPage:
    """Orders newest first, with a cursor for the next page and per-provider errors."""
    order_filter = filter_of(
        provider=provider,
        status=status,
        type=type,
        created_after=created_after,
        created_before=created_before,
        iccid=iccid,
        code=code,
        text=text,
        destination=destination,
    )
    shown, standings = cursors.decode(cursor, order_filter) if cursor else (0, None)
    page = await service.list_page(order_filter, limit, standings)
    # Every asked provider failed: nothing to show, the failure itself is raised.
    asked = [p for p in service.providers if order_filter.wants(p)]
    issues = provider_issues(page.errors, asked)
    issues += [
        ProviderIssue(provider=p, error=f"{n} order(s) could not be read and are left out.")
        for p, n in page.unreadable.items()
    ]
    issues += [
        ProviderIssue(
            provider=p,
            error="Its orders changed since the previous page; this page continues after the "
            "last order shown, and the total is as the provider counts now.",
        )
        for p in page.changed
    ]
    total = page.total
    exact = page.total_exact
    remaining = total - shown - len(page.orders) if total is not None and exact else None
    more = page.more if remaining is None else remaining > 0
    return OrderPage(
        orders=[OrderSummary.of(o) for o in page.orders],
        returned=len(page.orders),
        total=total,
        total_exact=exact,
        scanned=page.scanned if not exact else None,
        remaining=remaining,
        next_cursor=cursors.encode(order_filter, shown + len(page.orders), page.standings)
        if more
        else None,
        provider_errors=issues,
    )


def filter_of(
    *,
    provider: Provider | None = None,
    status: list[OrderStatus] | None = None,
    type: OrderType | None = None,
    created_after: date | None = None,
    created_before: date | None = None,
    iccid: str | None = None,
    code: str | None = None,
    text: str | None = None,
    destination: str | None = None,
) -> OrderFilter:
    """The service's filter for the tool's arguments (days are UTC, `created_before`
    exclusive): one translation for every tool that reads a listing."""
    if created_after and created_before and created_before <= created_after:
        raise ToolInputError("created_before", "must be a later day than {created_after}")
    return OrderFilter(
        providers=frozenset({provider}) if provider else None,
        statuses=frozenset(status) if status else None,
        type=type,
        created_after=_start_of(created_after),
        created_before=_start_of(created_before),
        iccid=iccid,
        code=code,
        text=text,
        destination=destination,
    )


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None
