"""The explorer's table pane: messages, the listing's rows, and the newer/older pager."""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from . import html as render
from .state import ExplorerState
from .table import TableRow, header_row

#: The table's width before it shares a row with an opened order's card (see DetailPane).
TABLE_BASIS = "720px"


class TablePane(widgets.VBox):
    """One page of the listing as reusable rows; `on_open(ref)` opens an order and
    `on_turn(step)` asks for the older (+1) or newer (-1) page."""

    def __init__(
        self, page_size: int, on_open: Callable[[str], None], on_turn: Callable[[int], None]
    ) -> None:
        self.message = widgets.HTML()
        self.head = header_row()
        self.rows = [TableRow(on_open) for _ in range(page_size)]
        self.prev_button = widgets.Button(description="‹ Newer", layout={"width": "90px"})
        self.next_button = widgets.Button(description="Older ›", layout={"width": "90px"})
        self.prev_button.add_class("eo-prev")
        self.next_button.add_class("eo-next")
        self.prev_button.on_click(lambda _: on_turn(-1))
        self.next_button.on_click(lambda _: on_turn(+1))
        self.caption = widgets.HTML()
        pager = widgets.HBox(
            [self.prev_button, self.next_button, self.caption],
            layout=widgets.Layout(align_items="center", margin="6px 0 0 0"),
        )
        super().__init__(
            [self.message, self.head, *(r.box for r in self.rows), pager],
            layout=widgets.Layout(flex=f"3 1 {TABLE_BASIS}", min_width="0", margin="0 12px 0 0"),
        )
        self.add_class("eo-table-pane")

    def loading(self) -> None:
        self.prev_button.disabled = self.next_button.disabled = True

    def show(self, state: ExplorerState) -> None:
        """The state's page: provider notes, its rows, where it sits in the listing."""
        page = state.page
        if page is None:
            self.show_error(state)
            return
        notes = render.issues_html(page.provider_errors)
        self.message.value = render.view(notes) if notes else ""
        for row, summary in zip(self.rows, state.rows(), strict=True):
            row.show(summary, state.selected)
        caption = html.escape(render.page_caption(page, first=state.first_row))
        self.caption.value = render.view(
            f'<span class="eo-muted">{caption}</span>', with_style=False
        )
        self.prev_button.disabled = not state.can_go_newer
        self.next_button.disabled = not state.can_go_older

    def show_error(self, state: ExplorerState) -> None:
        """The state's error in place of the rows; only "newer" stays usable."""
        self.message.value = render.error_html(state.error or "")
        for row in self.rows:
            row.show(None, None)
        self.caption.value = ""
        self.prev_button.disabled = not state.can_go_newer

    def mark(self, ref: str | None) -> None:
        for row in self.rows:
            row.mark(ref)
