"""The widgets' only way to data: the MCP tool functions, run on a `SyncOrderService`.

Every call here blocks its calling thread until the service's own loop answers, so the
widgets call these from worker threads (see `jobs.py`), never from the kernel's thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..esim_models import EsimState
from ..failures.explanation import Explanation
from ..models import Order, OrderStatus, Provider, sort_key
from ..service.sync import SyncOrderService
from ..tools import explain_failure, get_esim, get_order, list_orders
from ..tools.views import OrderPage, OrderSummary
from ..tools.visit_orders import ProviderCounts, StopVisit, VisitedOrders, visit_orders
from .csv_file import CsvFile
from .errors import WIDGETS
from .jobs import Superseded
from .query import OrderQuery
from .tally import ChartTally

#: (orders read so far, orders matching in all, or None when a provider could not tell)
Progress = Callable[[int, int | None], None]


def fetch_page(
    service: SyncOrderService, query: OrderQuery, *, limit: int, cursor: str | None = None
) -> OrderPage:
    """One page of `list_orders`, exactly as the MCP tool answers it."""
    call = partial(list_orders, service.service, limit=limit, cursor=cursor)
    return service.run(partial(call, **query.tool_arguments()))


#: Orders visited between two progress reports (and two checks that the reader still waits).
PROGRESS_EVERY = 2000


def visit_matching(
    service: SyncOrderService,
    query: OrderQuery,
    visit: Callable[[OrderSummary], None],
    progress: Progress | None = None,
    total: int | None = None,
) -> VisitedOrders:
    """Hand every order matching `query` to `visit`, once, in no particular order, through
    the `visit_orders` tool: nothing is kept, whatever the account holds. `progress` hears
    of every `PROGRESS_EVERY` orders (`total`, when the caller knows it, is passed on); when
    it raises `Superseded` the walk stops and `Superseded` is raised here."""
    done = 0

    def counted(summary: OrderSummary) -> None:
        nonlocal done
        visit(summary)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            try:
                progress(done, total)
            except Superseded:
                raise StopVisit from None

    call = partial(visit_orders, service.service, counted, **query.tool_arguments())
    try:
        visited = service.run(call)
    except StopVisit:
        raise Superseded from None
    if progress is not None:
        progress(visited.visited, total)
    return visited


@dataclass(frozen=True)
class Tallied:
    """What the charts draw of every order matching one query: counters, not orders."""

    query: OrderQuery
    tally: ChartTally
    titles: dict[tuple[str, str], str]
    note: str | None  # what is missing, when a provider could not answer
    #: Per provider: orders, created today, failed, stuck now (the KPI tiles).
    counts: tuple[ProviderCounts, ...] = ()


def fetch_tally(
    service: SyncOrderService,
    query: OrderQuery,
    progress: Progress | None = None,
    total: int | None = None,
) -> Tallied:
    """The charts' counters over every matching order, with the catalogue titles of the
    failed ones' causes, and the tiles' counts per provider from the same reading."""
    tally = ChartTally()
    visited = visit_matching(service, query, tally.add, progress, total)
    titles = fetch_cause_titles(service, tally.failures)
    return Tallied(query, tally, titles, note_of(visited), tuple(visited.counts))


@dataclass(frozen=True)
class Exported:
    """A CSV file of every order matching one query, written as they were read."""

    path: Path
    rows: int
    note: str | None


def fetch_csv_file(
    service: SyncOrderService,
    query: OrderQuery,
    path: Path,
    progress: Progress | None = None,
    total: int | None = None,
) -> Exported:
    """Every matching order written to `path` as CSV while it is read (see `csv_file.py`)."""
    with CsvFile(path) as out:
        visited = visit_matching(service, query, out.add, progress, total)
    return Exported(path, out.rows, note_of(visited))


def fetch_all_summaries(service: SyncOrderService, query: OrderQuery) -> list[OrderSummary]:
    """Every matching order, newest first, as `list_orders` ranks them, in one list: for a
    caller that asked for the list itself (`OrdersExplorer.all_orders`, `to_dataframe`)."""
    summaries: list[OrderSummary] = []
    visit_matching(service, query, summaries.append)
    summaries.sort(key=lambda s: sort_key(s.created_at, s.ref))
    return summaries


def note_of(visited: VisitedOrders) -> str | None:
    """What is missing, when a provider could not answer (fully)."""
    return "; ".join(f"{i.provider}: {i.error}" for i in visited.provider_errors) or None


def fetch_order(service: SyncOrderService, ref: str) -> Order:
    return service.run(partial(get_order, service.service, ref))


def fetch_esims(service: SyncOrderService, order: Order) -> list[EsimState]:
    """A completed order's eSIMs with `get_esim` (none for other orders): read once per eSIM
    in five minutes, so after `explain_failure` this costs no provider request."""
    if order.status is not OrderStatus.COMPLETED:
        return []
    return service.run(partial(get_esim, service.service, ref=order.ref)).esims


def fetch_explanation(service: SyncOrderService, ref: str) -> Explanation:
    """The order's explanation, the tools its advice names said as the explorer's parts."""
    return service.run(partial(explain_failure, service.service, ref, terms=WIDGETS))


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
