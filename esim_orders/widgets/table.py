"""The listing as reusable widget rows: the ref as a button that opens the order, then the
same cells `html.orders_table` renders, laid out on one CSS grid so columns line up."""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from ..tools.views import OrderSummary
from . import html as render

#: The listing's cells shown beside the ref button: (header, index in summary_cells, width).
GRID_COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("Created (UTC)", 1, "112px"),
    ("Status", 2, "180px"),
    ("Type", 3, "80px"),
    ("Plan", 5, "minmax(90px, 1fr)"),
    ("Price", 6, "78px"),
    ("Failure reason", 7, "124px"),
)
_TEMPLATE = " ".join(width for _, _, width in GRID_COLUMNS)
#: As the table pane narrows (an opened order's card beside it, a small page), these columns
#: go first, so the plan keeps room to be read; the card shows what they say. Later tiers
#: win where several match (container queries on the pane).
NARROW_TIERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("1000px", ("Type",)),
    ("900px", ("Type", "Failure reason")),
)
NARROW_STATUS = "150px"


def _narrow_rules() -> str:
    rules = []
    for below, hidden in NARROW_TIERS:
        template = " ".join(
            NARROW_STATUS if header == "Status" else width
            for header, _, width in GRID_COLUMNS
            if header not in hidden
        )
        hide = ",".join(
            f".eo-explorer .eo-cells>div:nth-child({n})"
            for n, (header, _, _) in enumerate(GRID_COLUMNS, 1)
            if header in hidden
        )
        rules.append(
            f"@container (max-width: {below}) {{\n"
            f"  .eo-explorer .eo-cells{{grid-template-columns:{template}}}\n"
            f"  {hide}{{display:none}}\n}}"
        )
    return "\n".join(rules)


GRID_CSS = f"""<style>
.eo-explorer .eo-row{{border-bottom:1px solid var(--jp-border-color2, rgba(128,128,128,.3));
  align-items:center;margin:0;min-height:30px}}
.eo-explorer .eo-row:hover{{background:rgba(128,128,128,.08)}}
.eo-explorer .eo-row.eo-selected{{background:rgba(56,139,253,.16)}}
.eo-explorer .eo-row.eo-head{{background:var(--jp-layout-color2, rgba(128,128,128,.08));
  font-weight:600}}
.eo-explorer .eo-row .widget-html,.eo-explorer .eo-row .widget-button{{margin:0}}
.eo-explorer .eo-row .widget-html-content{{line-height:1.3;height:auto;
  color:var(--jp-ui-font-color1, inherit)}}
.eo-explorer .eo-cells{{display:grid;grid-template-columns:{_TEMPLATE};gap:0 8px;
  align-items:center;font-size:12px;padding:2px 4px}}
.eo-explorer .eo-cells>div{{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}}
.eo-explorer button.eo-ref{{background:transparent;box-shadow:none;text-align:left;
  color:var(--jp-content-link-color, #1a73e8);
  font-family:var(--jp-code-font-family, monospace);font-size:12px;padding:0 6px}}
.eo-explorer button.eo-ref:hover{{text-decoration:underline}}
.eo-explorer .eo-head-ref{{padding-left:8px;font-size:12px}}
.eo-explorer .eo-split{{row-gap:12px}}
.eo-explorer .eo-table-pane{{container-type:inline-size}}
{_narrow_rules()}
</style>"""
REF_WIDTH = "210px"  # long Zim refs end in "…"; the card shows them whole
_CELLS_LAYOUT = {"flex": "1 1 0%", "width": "auto", "min_width": "0", "overflow": "hidden"}


def header_row() -> widgets.HBox:
    ref = widgets.HTML("Order", layout=widgets.Layout(width=REF_WIDTH))
    ref.add_class("eo-head-ref")
    cells = widgets.HTML(
        '<div class="eo-cells">'
        + "".join(f"<div>{html.escape(h)}</div>" for h, _, _ in GRID_COLUMNS)
        + "</div>",
        layout=widgets.Layout(**_CELLS_LAYOUT),
    )
    row = widgets.HBox([ref, cells])
    row.add_class("eo-row")
    row.add_class("eo-head")
    return row


class TableRow:
    """One reusable table row: the ref as a button that opens the order, then its cells."""

    def __init__(self, on_open: Callable[[str], None]) -> None:
        self.summary: OrderSummary | None = None
        self.button = widgets.Button(layout=widgets.Layout(width=REF_WIDTH, height="26px"))
        self.button.add_class("eo-ref")
        self.button.on_click(lambda _: self.summary and on_open(self.summary.ref))
        self.cells = widgets.HTML(layout=widgets.Layout(**_CELLS_LAYOUT))
        self.box = widgets.HBox([self.button, self.cells], layout=widgets.Layout(display="none"))
        self.box.add_class("eo-row")

    def show(self, summary: OrderSummary | None, selected: str | None) -> None:
        self.summary = summary
        if summary is None:
            self.box.layout.display = "none"
            return
        self.button.description = summary.ref
        self.button.tooltip = f"Open {summary.ref}"
        cells = render.summary_cells(summary)
        self.cells.value = (
            '<div class="eo-cells">'
            + "".join(f"<div>{cells[i]}</div>" for _, i, _ in GRID_COLUMNS)
            + "</div>"
        )
        self.mark(selected)
        self.box.layout.display = "flex"

    def mark(self, selected: str | None) -> None:
        if self.summary is not None and self.summary.ref == selected:
            self.box.add_class("eo-selected")
        else:
            self.box.remove_class("eo-selected")
