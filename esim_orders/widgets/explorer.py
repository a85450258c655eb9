"""`OrdersExplorer`: filter, page, open and explain orders, chart and export them, in Jupyter.

A thin composition of standard ipywidgets over the pure renderers in `html.py` and
`charts.py`; all data comes from the MCP tools through `fetch.py`, on worker threads
(`jobs.py`), so the kernel answers while orders load.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..failures.explanation import Explanation
from ..models import Order, OrderStatus, OrderType, Provider
from ..service.sync import SyncOrderService
from ..tools.list_orders import DEFAULT_LIMIT, MAX_LIMIT
from ..tools.views import OrderPage, OrderSummary
from . import html as render
from .cards import FailureCard, OrderCard
from .charts import cause_key, charts_body, failure_causes, status_over_time
from .errors import error_text
from .export import csv_text, download_link, export_filename
from .export import to_dataframe as summaries_frame
from .fetch import fetch_all, fetch_cause_titles, fetch_explanation, fetch_order, fetch_page
from .filters import PROVIDER_NAMES, UNSET, FilterBar, Statuses, Unset
from .jobs import Report, Runner
from .progress import Activity
from .query import OrderQuery
from .session import default_service
from .table import GRID_CSS, TableRow, header_row
from .theme import STYLESHEET

if TYPE_CHECKING:
    import pandas


@dataclass(frozen=True)
class _AllOrders:
    """Every order matching one query, read once for the charts and reused by the export."""

    query: OrderQuery
    summaries: list[OrderSummary]
    titles: dict[tuple[str, str], str]
    note: str | None  # what is missing, when a provider could not answer


class OrdersExplorer(widgets.VBox):
    """Orders of every configured provider: filters, a paginated table, the selected order's
    card and explanation, charts, and a CSV export, all from the MCP tools.

    With no service it uses `Settings.from_env()`: the embedded sandbox when no credentials
    are set. Loading runs off the kernel's thread; `wait()` blocks until the view settled.
    """

    def __init__(
        self,
        service: SyncOrderService | None = None,
        *,
        provider: Provider | str | None = None,
        status: Statuses = None,
        type: OrderType | str | None = None,
        created_from: date | None = None,
        created_to: date | None = None,
        text: str | None = None,
        page_size: int = DEFAULT_LIMIT,
        title: str | None = "eSIM orders",
        charts: bool = True,
    ) -> None:
        if not 1 <= page_size <= MAX_LIMIT:
            raise ValueError(f"page_size must be between 1 and {MAX_LIMIT}")
        self.service = service if service is not None else default_service()
        self.page_size = page_size
        self.with_charts = charts
        self.page: OrderPage | None = None
        self.selected: str | None = None
        self.selected_order: Order | None = None
        self.explanation: Explanation | None = None
        self.error: str | None = None
        self.last_export: str | None = None
        self._all: _AllOrders | None = None
        self._cursors: list[str | None] = [None]
        self._runner = Runner()
        self._title = title

        self.filters = FilterBar(
            self.service.service.providers,
            self.refresh,
            provider=provider,
            status=status,
            type=type,
            created_from=created_from,
            created_to=created_to,
            text=text,
        )
        # The controls by name, for code and tests: `explorer.status_filter.value = ...`.
        self.provider_filter, self.status_filter = self.filters.provider, self.filters.status
        self.type_filter, self.text_filter = self.filters.type, self.filters.text
        self.from_filter, self.to_filter = self.filters.created_from, self.filters.created_to
        self.activity = Activity()
        self.message = widgets.HTML()
        self.head = header_row()
        self.rows = [TableRow(self.select) for _ in range(page_size)]
        self.prev_button = widgets.Button(description="‹ Newer", layout={"width": "90px"})
        self.next_button = widgets.Button(description="Older ›", layout={"width": "90px"})
        self.prev_button.add_class("eo-prev")
        self.next_button.add_class("eo-next")
        self.prev_button.on_click(lambda _: self._turn(-1))
        self.next_button.on_click(lambda _: self._turn(+1))
        self.caption = widgets.HTML()
        pager = widgets.HBox(
            [self.prev_button, self.next_button, self.caption],
            layout=widgets.Layout(align_items="center", margin="6px 0 0 0"),
        )
        table = widgets.VBox(
            [self.message, self.head, *(r.box for r in self.rows), pager],
            layout=widgets.Layout(flex="3 1 880px", min_width="0", margin="0 12px 0 0"),
        )
        table.add_class("eo-table-pane")

        self.card = OrderCard(service=self.service)
        self.failure = FailureCard(service=self.service)
        self.detail_activity = Activity(collapse=True)
        self.card.view.value = render.notice_html(
            "Select an order to see its card and, when it failed or is stuck, why."
        )
        detail = widgets.VBox(
            [self.detail_activity, self.card, self.failure],
            layout=widgets.Layout(flex="2 1 380px", min_width="0"),
        )
        detail.add_class("eo-detail")

        self.charts = widgets.HTML()
        self.charts.add_class("eo-charts")
        self.export_button = widgets.Button(
            description="Export CSV",
            icon="download",
            tooltip="Every order matching the filters, as CSV",
            layout={"width": "130px"},
        )
        self.export_button.add_class("eo-export")
        self.export_button.on_click(lambda _: self.export())
        self.export_link = widgets.HTML()
        self.export_link.add_class("eo-export-link")

        super().__init__(
            [
                widgets.HTML(STYLESHEET + GRID_CSS, layout=widgets.Layout(display="none")),
                widgets.HTML(self._header_html()),
                self.filters,
                self.activity,
                widgets.HBox(
                    [table, detail],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
                ),
                widgets.HBox(
                    [self.export_button, self.export_link],
                    layout=widgets.Layout(align_items="center", margin="10px 0 4px 0"),
                ),
                self.charts,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.add_class("eo-explorer")
        self.add_class("eo-view")
        self.refresh()

    # ------------------------------------------------------------------ building

    def _header_html(self) -> str:
        service = self.service.service
        names = " and ".join(PROVIDER_NAMES.get(p, p.value) for p in service.providers)
        if service.is_sandbox:
            source = f"{names} demo data from the embedded sandbox: no credentials needed"
        else:
            source = f"Live orders from {names}"
        title = f"<h3>{html.escape(self._title)}</h3>" if self._title else ""
        return render.view(
            f'{title}<div class="eo-muted">{html.escape(source)}</div>', with_style=False
        )

    def set_filters(
        self,
        *,
        provider: Provider | str | Unset | None = UNSET,
        status: Statuses | Unset = UNSET,
        type: OrderType | str | Unset | None = UNSET,
        created_from: date | Unset | None = UNSET,
        created_to: date | Unset | None = UNSET,
        text: str | Unset | None = UNSET,
    ) -> OrdersExplorer:
        """Set several filters at once and load once: `explorer.set_filters(status="FAILED")`.
        Filters not named keep their value; returns the explorer, for `.wait()`."""
        self.filters.set(
            provider=provider,
            status=status,
            type=type,
            created_from=created_from,
            created_to=created_to,
            text=text,
        )
        return self

    # ------------------------------------------------------------------ state

    @property
    def query(self) -> OrderQuery:
        """The filters as they stand."""
        return self.filters.query

    @property
    def page_index(self) -> int:
        return len(self._cursors) - 1

    @property
    def loading(self) -> bool:
        return self._runner.busy() or self.activity.active

    def wait(self, timeout: float = 60.0) -> OrdersExplorer:
        """Block until everything started so far has loaded; returns the explorer, so a cell
        can end with `explorer.wait()` to show (and save) a settled view."""
        self._runner.wait(timeout)
        return self

    # ------------------------------------------------------------------ listing

    def refresh(self) -> None:
        """Read the first page again under the current filters (and the charts after it)."""
        self._cursors = [None]
        self._all = None
        self._runner.cancel("all")  # charts of the old filters must not land on the new ones
        self.activity.finish("all")
        self.export_link.value = ""
        self._load_page(then_all=self.with_charts)

    def _turn(self, step: int) -> None:
        if step > 0 and self.page is not None and self.page.next_cursor:
            self._cursors.append(self.page.next_cursor)
        elif step < 0 and len(self._cursors) > 1:
            self._cursors.pop()
        else:
            return
        self._load_page(then_all=False)

    def next_page(self) -> None:
        self._turn(+1)

    def previous_page(self) -> None:
        self._turn(-1)

    def _load_page(self, *, then_all: bool) -> None:
        query, cursor = self.query, self._cursors[-1]
        self.activity.start("list", "Loading orders…")
        self.prev_button.disabled = self.next_button.disabled = True

        def done(page: OrderPage) -> None:
            self.activity.finish("list")
            self._show_page(page)
            if then_all:
                self._load_all(query)

        def failed(exc: BaseException) -> None:
            self.activity.finish("list")
            self.page, self.error = None, error_text(exc)
            self.message.value = render.error_html(self.error)
            for row in self.rows:
                row.show(None, None)
            self.caption.value = ""
            self.prev_button.disabled = len(self._cursors) <= 1

        self._runner.submit(
            "list",
            lambda _: fetch_page(self.service, query, limit=self.page_size, cursor=cursor),
            done,
            failed,
        )

    def _show_page(self, page: OrderPage) -> None:
        self.page, self.error = page, None
        notes = render.issues_html(page.provider_errors)
        self.message.value = render.view(notes) if notes else ""
        for i, row in enumerate(self.rows):
            row.show(page.orders[i] if i < len(page.orders) else None, self.selected)
        first = self.page_index * self.page_size + 1
        self.caption.value = render.view(
            f'<span class="eo-muted">{html.escape(render.page_caption(page, first=first))}</span>',
            with_style=False,
        )
        self.prev_button.disabled = len(self._cursors) <= 1
        self.next_button.disabled = not page.next_cursor

    # ------------------------------------------------------------------ every matching order

    def _read_all(self, query: OrderQuery, report: Report | None, key: str) -> _AllOrders:
        """Walk every page of the listing (runs on a worker)."""

        def progress(done: int, total: int | None) -> None:
            if report is not None:
                text = f"Reading all matching orders: {done}" + (f" of {total}" if total else "")
                report(lambda: self.activity.step(key, done, total, text))

        summaries, last = fetch_all(self.service, query, progress)
        keys = {cause_key(s) for s in summaries if s.status is OrderStatus.FAILED}
        titles = fetch_cause_titles(self.service, keys)
        note = "; ".join(f"{i.provider}: {i.error}" for i in last.provider_errors) or None
        return _AllOrders(query, summaries, titles, note)

    def _load_all(self, query: OrderQuery) -> None:
        self.activity.start("all", "Reading all matching orders…")
        self.charts.value = ""

        def done(everything: _AllOrders) -> None:
            self.activity.finish("all")
            self._all = everything
            self._show_charts(everything)

        def failed(exc: BaseException) -> None:
            self.activity.finish("all")
            self.charts.value = render.error_html("Charts: " + error_text(exc))

        self._runner.submit(
            "all", lambda report: self._read_all(query, report, "all"), done, failed
        )

    def _show_charts(self, everything: _AllOrders) -> None:
        body = charts_body(
            status_over_time(everything.summaries),
            failure_causes(everything.summaries, everything.titles),
        )
        if everything.note:
            body = f'<div class="eo-notice">Incomplete: {render.text(everything.note)}</div>{body}'
        self.charts.value = render.view(body, with_style=False)

    def all_orders(self) -> list[OrderSummary]:
        """Every order matching the filters (blocking; reuses what the charts already read)."""
        query = self.query
        if self._all is not None and self._all.query == query:
            return list(self._all.summaries)
        return self._read_all(query, None, "all").summaries

    # ------------------------------------------------------------------ export

    def export(self) -> None:
        """Prepare a CSV of every matching order and offer it as a download link."""
        query = self.query
        cached = self._all if self._all is not None and self._all.query == query else None
        self.activity.start("export", "Preparing the CSV…")
        self.export_button.disabled = True
        self.export_link.value = ""

        def work(report: Report) -> _AllOrders:
            return cached or self._read_all(query, report, "export")

        def done(everything: _AllOrders) -> None:
            self.activity.finish("export")
            self.export_button.disabled = False
            self.last_export = csv_text(everything.summaries)
            link = download_link(
                self.last_export, export_filename(datetime.now(UTC)), len(everything.summaries)
            )
            if everything.note:
                link += (
                    f' <span class="eo-notice">Incomplete: {render.text(everything.note)}</span>'
                )
            self.export_link.value = render.view(link, with_style=False)

        def failed(exc: BaseException) -> None:
            self.activity.finish("export")
            self.export_button.disabled = False
            self.export_link.value = render.error_html("Export: " + error_text(exc))

        self._runner.submit("export", work, done, failed)

    def export_csv(self) -> str:
        """The CSV of every matching order, returned (blocking): for scripts and cells."""
        return csv_text(self.all_orders())

    def to_dataframe(self) -> pandas.DataFrame:
        """Every matching order as a pandas DataFrame (needs the `pandas` extra)."""
        return summaries_frame(self.all_orders())

    # ------------------------------------------------------------------ one order

    def select(self, ref: str) -> None:
        """Open an order: its card, and for a failed or stuck order, its explanation."""
        self.selected = ref
        for row in self.rows:
            row.mark(ref)
        self.detail_activity.start("detail", f"Loading {ref}…")

        def work(_: Report) -> tuple[Order, Explanation]:
            return fetch_order(self.service, ref), fetch_explanation(self.service, ref)

        def done(result: tuple[Order, Explanation]) -> None:
            order, expl = result
            self.detail_activity.finish("detail")
            self.selected_order, self.explanation = order, expl
            self.card.show(order)
            if expl.something_wrong:
                self.failure.show(expl)
            else:
                self.failure.clear(f"{expl.title}: {expl.diagnosis}")

        def failed(exc: BaseException) -> None:
            self.detail_activity.finish("detail")
            self.selected_order = self.explanation = None
            self.card.show_error(exc)
            self.failure.clear()

        self._runner.submit("detail", work, done, failed)

    # ------------------------------------------------------------------ static output

    def static_html(self) -> str:
        """The view as it stands, as plain HTML: what a saved notebook shows without a kernel."""
        plain = {"with_style": False}
        filters = render.text(self.query.describe())
        parts = [self._header_html(), f'<div class="eo-muted">Filters: {filters}</div>']
        if self.error:
            parts.append(render.error_html(self.error, **plain))
        elif self.page is not None:
            first = self.page_index * self.page_size + 1
            parts.append(render.page_html(self.page, first=first, selected=self.selected, **plain))
        else:
            parts.append(render.notice_html("Loading orders…", **plain))
        if self.selected_order is not None:
            parts.append(render.order_card_html(self.selected_order, **plain))
        if self.explanation is not None and self.explanation.something_wrong:
            parts.append(render.explanation_html(self.explanation, **plain))
        if self.charts.value:
            parts.append(self.charts.value)
        return render.view("".join(parts))

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = self.static_html()
        return bundle
