"""The explorer's charts pane: every matching order read once, charted, and offered as CSV."""

from __future__ import annotations

from datetime import UTC, datetime

import ipywidgets as widgets

from ..service.sync import SyncOrderService
from ..tools.views import OrderSummary
from . import html as render
from .charts import charts_body
from .errors import error_text
from .export import download_link
from .fetch import AllOrders, fetch_everything
from .jobs import Report, Runner
from .progress import Activity
from .query import OrderQuery
from .state import ExplorerState


def _incomplete(note: str | None, tag: str) -> str:
    """What is missing when a provider could not answer, beside what it stands by."""
    return f'<{tag} class="eo-notice">Incomplete: {render.text(note)}</{tag}>' if note else ""


class ChartsPane(widgets.VBox):
    """The export button and its link over the charts; reads every order matching a query on
    the explorer's runner (channels "all" and "export") and keeps it in the state."""

    def __init__(
        self, service: SyncOrderService, state: ExplorerState, runner: Runner, activity: Activity
    ) -> None:
        self._service, self._state, self._runner, self._activity = service, state, runner, activity
        self.export_button = widgets.Button(
            description="Export CSV",
            icon="download",
            tooltip="Every order matching the filters, as CSV",
            layout={"width": "130px"},
        )
        self.export_button.add_class("eo-export")
        self.export_button.on_click(lambda _: self.export(self._state.query))
        self.export_link = widgets.HTML()
        self.export_link.add_class("eo-export-link")
        self.charts = widgets.HTML()
        self.charts.add_class("eo-charts")
        export_row = widgets.HBox(
            [self.export_button, self.export_link],
            layout=widgets.Layout(align_items="center", margin="10px 0 4px 0"),
        )
        super().__init__([export_row, self.charts], layout=widgets.Layout(width="100%"))

    def read_all(self, query: OrderQuery, report: Report | None, key: str) -> AllOrders:
        """Walk every page of the listing (runs on a worker; blocks when `report` is None)."""

        def progress(done: int, total: int | None) -> None:
            if report is not None:
                text = f"Reading all matching orders: {done}" + (f" of {total}" if total else "")
                report(lambda: self._activity.step(key, done, total, text))

        return fetch_everything(self._service, query, progress)

    def all_orders(self, query: OrderQuery) -> list[OrderSummary]:
        """Every order matching `query` (blocking; reuses what the charts already read)."""
        cached = self._state.everything_for(query)
        if cached is not None:
            return list(cached.summaries)
        return self.read_all(query, None, "all").summaries

    # ------------------------------------------------------------------ charts

    def reset(self) -> None:
        """A new query: the charts of the old one must not land, nor its export stay offered."""
        self._runner.cancel("all")
        self._activity.finish("all")
        self.export_link.value = ""

    def load(self, query: OrderQuery) -> None:
        self._activity.start("all", "Reading all matching orders…")
        self.charts.value = ""

        def done(everything: AllOrders) -> None:
            self._activity.finish("all")
            self._state.everything = everything
            self.show_charts()

        def failed(exc: BaseException) -> None:
            self._activity.finish("all")
            self.charts.value = render.error_html("Charts: " + error_text(exc))

        self._runner.submit("all", lambda report: self.read_all(query, report, "all"), done, failed)

    def show_charts(self) -> None:
        everything, data = self._state.everything, self._state.chart_data()
        if everything is None or data is None:
            self.charts.value = ""
            return
        body = _incomplete(everything.note, "div") + charts_body(*data)
        self.charts.value = render.view(body, with_style=False)

    # ------------------------------------------------------------------ export

    def export(self, query: OrderQuery) -> None:
        """Prepare a CSV of every order matching `query` and offer it as a download link."""
        cached = self._state.everything_for(query)
        self._activity.start("export", "Preparing the CSV…")
        self.export_button.disabled = True
        self.export_link.value = ""

        def work(report: Report) -> AllOrders:
            return cached or self.read_all(query, report, "export")

        def done(everything: AllOrders) -> None:
            self._activity.finish("export")
            self.export_button.disabled = False
            csv, filename = self._state.export(everything, datetime.now(UTC))
            link = download_link(csv, filename, len(everything.summaries))
            if everything.note:
                link += " " + _incomplete(everything.note, "span")
            self.export_link.value = render.view(link, with_style=False)

        def failed(exc: BaseException) -> None:
            self._activity.finish("export")
            self.export_button.disabled = False
            self.export_link.value = render.error_html("Export: " + error_text(exc))

        self._runner.submit("export", work, done, failed)
