"""What the orders explorer shows, without widgets: query, cursor stack, selection, charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..failures.explanation import Explanation
from ..models import Order
from ..tools.list_orders import MAX_LIMIT
from ..tools.views import OrderPage, OrderSummary
from .charts import StatusSeries
from .export import INLINE_MAX_BYTES, export_filename
from .fetch import Exported, Tallied
from .query import OrderQuery

__all__ = ["ExplorerState"]


class ExplorerState:
    """The explorer's state as plain values; the panes show it and the explorer changes it.

    The cursor stack holds the cursor of every page read so far (None for the first), so
    "newer" pops and "older" pushes the page's `next_cursor`. Every matching order, once read
    for the charts, is kept with its query and reused by the export while the query stands.
    """

    def __init__(self, page_size: int, query: OrderQuery | None = None) -> None:
        if not 1 <= page_size <= MAX_LIMIT:
            raise ValueError(f"page_size must be between 1 and {MAX_LIMIT}")
        self.page_size = page_size
        self.query = query or OrderQuery()
        self.cursors: list[str | None] = [None]
        self.page: OrderPage | None = None
        self.error: str | None = None
        self.selected: str | None = None
        self.selected_order: Order | None = None
        self.explanation: Explanation | None = None
        self.tallied: Tallied | None = None
        #: The last CSV file written, and its text when small enough to offer inline.
        self.last_export_path: Path | None = None
        self.last_export: str | None = None

    # ------------------------------------------------------------------ paging

    @property
    def page_index(self) -> int:
        return len(self.cursors) - 1

    @property
    def first_row(self) -> int:
        """The number of the page's first order in the whole listing (from 1)."""
        return self.page_index * self.page_size + 1

    @property
    def cursor(self) -> str | None:
        """The cursor of the page to read (None: the first page)."""
        return self.cursors[-1]

    @property
    def can_go_newer(self) -> bool:
        return len(self.cursors) > 1

    @property
    def can_go_older(self) -> bool:
        return self.page is not None and bool(self.page.next_cursor)

    def restart(self, query: OrderQuery) -> None:
        """A new query: back to its first page, and every order read for the old one dropped."""
        self.query = query
        self.cursors = [None]
        self.tallied = None

    def turn(self, step: int) -> bool:
        """Move one page older (+1) or newer (-1); False when there is no such page."""
        if step > 0 and self.page is not None and self.page.next_cursor:
            self.cursors.append(self.page.next_cursor)
        elif step < 0 and self.can_go_newer:
            self.cursors.pop()
        else:
            return False
        return True

    def page_loaded(self, page: OrderPage) -> None:
        self.page, self.error = page, None

    def page_failed(self, error: str) -> None:
        self.page, self.error = None, error

    def rows(self) -> list[OrderSummary | None]:
        """The page's orders, padded with None to the page size (one per table row)."""
        orders: Sequence[OrderSummary] = self.page.orders if self.page is not None else ()
        return [orders[i] if i < len(orders) else None for i in range(self.page_size)]

    # ------------------------------------------------------------------ one order

    def select(self, ref: str) -> None:
        self.selected = ref

    def opened(self, order: Order, explanation: Explanation) -> None:
        self.selected_order, self.explanation = order, explanation

    def open_failed(self) -> None:
        self.selected_order = self.explanation = None

    def close(self) -> None:
        """No order opened any more."""
        self.selected = self.selected_order = self.explanation = None

    # ------------------------------------------------------------------ every matching order

    def tallied_for(self, query: OrderQuery) -> Tallied | None:
        """The charts' counters already read for `query`, or None when they must be read."""
        if self.tallied is not None and self.tallied.query == query:
            return self.tallied
        return None

    def chart_data(self) -> tuple[StatusSeries, list[tuple[str, int]]] | None:
        """What the charts draw: orders by status over time, failed orders by cause."""
        if self.tallied is None:
            return None
        return self.tallied.tally.series(), self.tallied.tally.causes(self.tallied.titles)

    @staticmethod
    def export_path(directory: Path, now: datetime) -> Path:
        """Where the CSV of an export made `now` is written."""
        return directory / export_filename(now)

    def exported(self, export: Exported) -> None:
        """Keep where the last CSV went, and its text when it is small enough to inline."""
        self.last_export_path = export.path
        small = export.path.stat().st_size <= INLINE_MAX_BYTES
        self.last_export = export.path.read_text(encoding="utf-8") if small else None
