"""`OrdersExplorer`: filter, page, open and explain orders, chart and export them, in Jupyter.

It composes the filter bar and the table, detail and charts panes over one `ExplorerState`;
all data comes from the MCP tools through `fetch.py`, on worker threads (`jobs.py`), so the
kernel answers while orders load.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..esim_models import EsimState
from ..failures.explanation import Explanation
from ..models import Order, OrderType, Provider
from ..service.sync import SyncOrderService
from ..tools.list_orders import DEFAULT_LIMIT
from ..tools.views import OrderPage, OrderSummary
from . import html as render
from .charts import charts_body
from .charts_pane import ChartsPane
from .detail_pane import DetailPane
from .errors import error_text
from .export import csv_text
from .export import to_dataframe as summaries_frame
from .fetch import (
    fetch_all_summaries,
    fetch_esims,
    fetch_explanation,
    fetch_order,
    fetch_page,
    fetch_tally,
)
from .filters import UNSET, FilterBar, Statuses, Unset
from .jobs import Report, Runner
from .kpis import KpiTiles
from .progress import Activity
from .query import OrderQuery
from .session import default_service
from .snapshot import header_html, static_html
from .state import ExplorerState
from .table import GRID_CSS
from .table_pane import TablePane
from .theme import STYLESHEET

if TYPE_CHECKING:
    import pandas


class OrdersExplorer(widgets.VBox):
    """Orders of every configured provider: filters, a paginated table, the selected order's
    card and explanation, charts, and a CSV export, all from the MCP tools.

    With no service it uses `Settings.from_env()`: the embedded sandbox when no credentials
    are set. Loading runs off the kernel's thread; `wait()` blocks until the view settled.
    The charts and the CSV export read every matching order without holding them; the CSV
    is written to `export_dir` (the kernel's working directory, beside the notebook, when
    None).
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
        export_dir: Path | None = None,
    ) -> None:
        self.state = ExplorerState(page_size)  # checks page_size before any service opens
        self.service = service if service is not None else default_service()
        self.page_size = page_size
        self.with_charts = charts
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
        self.tiles = KpiTiles()
        self.tiles.layout.display = None if charts else "none"  # counted by the charts' read
        self.table = TablePane(page_size, self.select, self._turn)
        self.detail = DetailPane(self.service, self.close_order)
        self.all_pane = ChartsPane(
            self.service, self.state, self._runner, self.activity, export_dir, self.tiles
        )
        # The panes' parts by name, as before the panes existed.
        self.message, self.head, self.rows = self.table.message, self.table.head, self.table.rows
        self.prev_button, self.next_button = self.table.prev_button, self.table.next_button
        self.caption = self.table.caption
        self.card, self.failure = self.detail.card, self.detail.failure
        self.detail_activity = self.detail.activity
        self.charts, self.export_button = self.all_pane.charts, self.all_pane.export_button
        self.export_link = self.all_pane.export_link

        # The table alone takes the whole width; an opened order's card sits beside it
        # where both fit (their flex bases), else wraps below it.
        self._split = widgets.HBox(
            [self.table, self.detail],
            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        self._split.add_class("eo-split")  # its row gap: GRID_CSS
        super().__init__(
            [
                widgets.HTML(STYLESHEET + GRID_CSS, layout=widgets.Layout(display="none")),
                widgets.HTML(self._header_html()),
                self.filters,
                self.activity,
                self.tiles,
                self._split,
                self.all_pane,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.add_class("eo-explorer")
        self.add_class("eo-view")
        self.refresh()

    def _header_html(self) -> str:
        service = self.service.service
        return header_html(service.providers, service.is_sandbox, self._title)

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

    page = property(lambda self: self.state.page, doc="The page shown, as list_orders gave it.")
    error = property(lambda self: self.state.error, doc="Why the page could not be read.")
    selected = property(lambda self: self.state.selected, doc="The ref of the order opened.")
    selected_order = property(lambda self: self.state.selected_order)
    explanation = property(lambda self: self.state.explanation)
    last_export = property(lambda self: self.state.last_export, doc="The last CSV, when small.")
    last_export_path = property(lambda self: self.state.last_export_path, doc="Its file.")
    page_index = property(lambda self: self.state.page_index)

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
        self.state.restart(self.query)
        self.all_pane.reset()
        self._load_page(then_all=self.with_charts)

    def _turn(self, step: int) -> None:
        if self.state.turn(step):
            self._load_page(then_all=False)

    def next_page(self) -> None:
        self._turn(+1)

    def previous_page(self) -> None:
        self._turn(-1)

    def _load_page(self, *, then_all: bool) -> None:
        query, cursor = self.state.query, self.state.cursor
        self.activity.start("list", "Loading orders…")
        self.table.loading()

        def done(page: OrderPage) -> None:
            self.activity.finish("list")
            self._show_page(page)
            if then_all:
                self.all_pane.load(query)

        def failed(exc: BaseException) -> None:
            self.activity.finish("list")
            self.state.page_failed(error_text(exc))
            self.table.show_error(self.state)

        self._runner.submit(
            "list",
            lambda _: fetch_page(self.service, query, limit=self.page_size, cursor=cursor),
            done,
            failed,
        )

    def _show_page(self, page: OrderPage) -> None:
        self.state.page_loaded(page)
        self.table.show(self.state)

    # ------------------------------------------------------------------ every matching order

    def all_orders(self) -> list[OrderSummary]:
        """Every order matching the filters, newest first, in one list (blocking): it holds
        the whole listing, which the charts and the export never do."""
        return fetch_all_summaries(self.service, self.query)

    def charts_html(self) -> str:
        """Both charts of every matching order as a standalone HTML fragment (blocking): the
        counters the explorer already read for the filters, else read now, never the orders."""
        tallied = self.state.tallied_for(self.query) or fetch_tally(self.service, self.query)
        body = charts_body(tallied.tally.series(), tallied.tally.causes(tallied.titles))
        return render.view(body)

    def export(self) -> None:
        """Write a CSV of every matching order to a file and offer it as a download link."""
        self.all_pane.export(self.query)

    def export_csv(self) -> str:
        """The CSV of every matching order, newest first, returned as one string (blocking):
        for scripts and cells over a listing that fits in memory."""
        return csv_text(self.all_orders())

    def to_dataframe(self) -> pandas.DataFrame:
        """Every matching order as a pandas DataFrame (needs the `pandas` extra)."""
        return summaries_frame(self.all_orders())

    # ------------------------------------------------------------------ one order

    def close_order(self) -> None:
        """Close the opened order's card: the table takes the whole width again."""
        self._runner.cancel("detail")
        self.state.close()
        self.table.mark(None)
        self.detail.close()

    def select(self, ref: str) -> None:
        """Open an order: its card (a completed order's with each eSIM's state and data left),
        and for a failed or stuck order, or an eSIM in trouble, its explanation."""
        self.state.select(ref)
        self.table.mark(ref)
        self.detail.loading(ref)

        def work(_: Report) -> tuple[Order, Explanation, list[EsimState]]:
            order = fetch_order(self.service, ref)
            explanation = fetch_explanation(self.service, ref)  # reads the eSIMs once
            return order, explanation, fetch_esims(self.service, order)

        def done(result: tuple[Order, Explanation, list[EsimState]]) -> None:
            order, explanation, esims = result
            self.state.opened(order, explanation)
            self.detail.show(order, explanation, esims)

        def failed(exc: BaseException) -> None:
            self.state.open_failed()
            self.detail.show_error(exc)

        self._runner.submit("detail", work, done, failed)

    # ------------------------------------------------------------------ static output

    def static_html(self) -> str:
        """The view as it stands, as plain HTML: what a saved notebook shows without a kernel."""
        return static_html(
            self.state, self._header_html(), self.charts.value, tiles=self.tiles.value
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = self.static_html()
        return bundle
