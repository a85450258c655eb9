"""The widgets' only way to data: the MCP tool functions, run on a `SyncOrderService`.

Every call here blocks its calling thread until the service's own loop answers, so the
widgets call these from worker threads (see `jobs.py`), never from the kernel's thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from ..failures.explanation import Explanation
from ..models import Order, OrderStatus, Provider
from ..service.sync import SyncOrderService
from ..tools import explain_failure, get_order, list_orders
from ..tools.list_orders import MAX_LIMIT
from ..tools.views import OrderPage, OrderSummary
from .charts import cause_key
from .query import OrderQuery

#: (orders read so far, orders matching in all, or None when a provider could not tell)
Progress = Callable[[int, int | None], None]


def fetch_page(
    service: SyncOrderService, query: OrderQuery, *, limit: int, cursor: str | None = None
) -> OrderPage:
    """One page of `list_orders`, exactly as the MCP tool answers it."""
    call = partial(list_orders, service.service, limit=limit, cursor=cursor)
    return service.run(partial(call, **query.tool_arguments()))


def fetch_all(
    service: SyncOrderService, query: OrderQuery, progress: Progress | None = None
) -> tuple[list[OrderSummary], OrderPage]:
    """Every matching order, walking `list_orders` pages by cursor; with the last page, whose
    provider errors (if any) say what is missing."""
    summaries: list[OrderSummary] = []
    cursor: str | None = None
    while True:
        page = fetch_page(service, query, limit=MAX_LIMIT, cursor=cursor)
        summaries.extend(page.orders)
        if progress is not None:
            progress(len(summaries), page.total)
        if not page.next_cursor:
            return summaries, page
        cursor = page.next_cursor


@dataclass(frozen=True)
class AllOrders:
    """Every order matching one query, read once for the charts and reused by the export."""

    query: OrderQuery
    summaries: list[OrderSummary]
    titles: dict[tuple[str, str], str]
    note: str | None  # what is missing, when a provider could not answer


def fetch_everything(
    service: SyncOrderService, query: OrderQuery, progress: Progress | None = None
) -> AllOrders:
    """Every matching order, with the catalogue titles of the failed ones' causes."""
    summaries, last = fetch_all(service, query, progress)
    keys = {cause_key(s) for s in summaries if s.status is OrderStatus.FAILED}
    titles = fetch_cause_titles(service, keys)
    note = "; ".join(f"{i.provider}: {i.error}" for i in last.provider_errors) or None
    return AllOrders(query, summaries, titles, note)


def fetch_order(service: SyncOrderService, ref: str) -> Order:
    return service.run(partial(get_order, service.service, ref))


def fetch_explanation(service: SyncOrderService, ref: str) -> Explanation:
    return service.run(partial(explain_failure, service.service, ref))


def fetch_cause_titles(
    service: SyncOrderService, keys: Iterable[tuple[str, str | None]]
) -> dict[tuple[str, str], str]:
    """Catalogue titles of failure reasons, via `explain_failure(provider=, code=)` (no I/O)."""
    titles: dict[tuple[str, str], str] = {}
    for provider, code in set(keys):
        if not code or provider not in {p.value for p in Provider}:
            continue
        expl = service.run(
            partial(explain_failure, service.service, provider=Provider(provider), code=code)
        )
        if expl.confidence == "known_code":
            titles[(provider, code)] = expl.title
    return titles
