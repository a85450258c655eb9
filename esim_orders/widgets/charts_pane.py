"""The explorer's charts pane: every matching order read once for the charts' counters, and
written to a CSV file on request; neither ever holds the orders."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import ipywidgets as widgets

from ..service.sync import SyncOrderService
from . import html as render
from .charts import charts_body
from .errors import error_text
from .export import download_link, file_link
from .fetch import Exported, Progress, Tallied, fetch_csv_file, fetch_tally
from .jobs import Report, Runner
from .kpis import KpiTiles
from .progress import Activity
from .query import OrderQuery
from .state import ExplorerState


def _incomplete(note: str | None, tag: str) -> str:
    """What is missing when a provider could not answer, beside what it stands by."""
    return f'<{tag} class="eo-notice">Incomplete: {render.text(note)}</{tag}>' if note else ""


class ChartsPane(widgets.VBox):
    """The export button and its link over the charts; reads every order matching a query on
    the explorer's runner (channels "all" and "export"), with progress, counting for the
    charts or writing the CSV file in `export_dir` (the kernel's working directory, which
    Jupyter serves beside the notebook, when None)."""

    def __init__(
        self,
        service: SyncOrderService,
        state: ExplorerState,
        runner: Runner,
        activity: Activity,
        export_dir: Path | None = None,
        tiles: KpiTiles | None = None,
    ) -> None:
        self._service, self._state, self._runner, self._activity = service, state, runner, activity
        self._tiles = tiles
        self._export_dir = export_dir
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

    def _progress(self, report: Report, key: str, what: str) -> Progress:
        """A progress callback for `fetch.visit_matching` that moves the activity line."""

        def progress(done: int, total: int | None) -> None:
            text = f"{what}: {done}" + (f" of {total}" if total else "")
            report(lambda: self._activity.step(key, done, total, text))

        return progress

    def _total(self, query: OrderQuery) -> int | None:
        """The listing's total as its first page told it, for the progress bar."""
        page = self._state.page
        return page.total if page is not None and self._state.query == query else None

    # ------------------------------------------------------------------ charts

    def reset(self) -> None:
        """A new query: the charts of the old one must not land, nor its export stay offered."""
        self._runner.cancel("all")
        self._activity.finish("all")
        self.export_link.value = ""

    def load(self, query: OrderQuery) -> None:
        self._activity.start("all", "Reading all matching orders…")
        self.charts.value = ""
        if self._tiles is not None:
            self._tiles.loading()
        total = self._total(query)

        def work(report: Report) -> Tallied:
            progress = self._progress(report, "all", "Reading all matching orders")
            return fetch_tally(self._service, query, progress, total)

        def done(tallied: Tallied) -> None:
            self._activity.finish("all")
            self._state.tallied = tallied
            self.show_charts()

        def failed(exc: BaseException) -> None:
            self._activity.finish("all")
            self.charts.value = render.error_html("Charts: " + error_text(exc))
            if self._tiles is not None:
                self._tiles.clear()

        self._runner.submit("all", work, done, failed)

    def show_charts(self) -> None:
        tallied, data = self._state.tallied, self._state.chart_data()
        if tallied is None or data is None:
            self.charts.value = ""
            return
        body = _incomplete(tallied.note, "div") + charts_body(*data)
        self.charts.value = render.view(body, with_style=False)
        if self._tiles is not None:
            self._tiles.show(tallied.counts, filtered=bool(tallied.query.tool_arguments()))

    # ------------------------------------------------------------------ export

    def export(self, query: OrderQuery) -> None:
        """Write a CSV of every matching order to a file as it is read, and offer it."""
        self._activity.start("export", "Preparing the CSV…")
        self.export_button.disabled = True
        self.export_link.value = ""
        directory = self._export_dir if self._export_dir is not None else Path.cwd()
        path = self._state.export_path(directory, datetime.now(UTC))
        total = self._total(query)

        def work(report: Report) -> Exported:
            progress = self._progress(report, "export", "Writing the CSV")
            return fetch_csv_file(self._service, query, path, progress, total)

        def done(export: Exported) -> None:
            self._activity.finish("export")
            self.export_button.disabled = False
            self._state.exported(export)
            text = self._state.last_export
            link = (
                download_link(text, export.path.name, export.rows)
                if text is not None
                else file_link(export.path, export.rows)
            )
            link += " " + _incomplete(export.note, "span") if export.note else ""
            self.export_link.value = render.view(link, with_style=False)

        def failed(exc: BaseException) -> None:
            self._activity.finish("export")
            self.export_button.disabled = False
            self.export_link.value = render.error_html("Export: " + error_text(exc))

        self._runner.submit("export", work, done, failed)
