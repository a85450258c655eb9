"""The explorer's state and its static view, without ipywidgets: paging, reuse, export."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from esim_orders.models import OrderStatus, Provider
from esim_orders.tools.views import OrderPage, OrderSummary
from esim_orders.widgets.csv_file import CsvFile
from esim_orders.widgets.fetch import Exported, Tallied
from esim_orders.widgets.query import OrderQuery
from esim_orders.widgets.snapshot import header_html, source_line, static_html
from esim_orders.widgets.state import ExplorerState
from esim_orders.widgets.tally import ChartTally

from ..helpers import NOW

FAILED = OrderQuery(statuses=(OrderStatus.FAILED,))


def _summary(n: int, status: str = "COMPLETED", reason: str | None = None) -> OrderSummary:
    return OrderSummary(
        ref=f"zim:ordr_{n:04d}",
        status=status,
        type="ONE_OFF",
        created_at=NOW,
        failure_reason=reason,
    )


def _page(*numbers: int, next_cursor: str | None = None) -> OrderPage:
    orders = [_summary(n) for n in numbers]
    return OrderPage(orders=orders, returned=len(orders), total=9, next_cursor=next_cursor)


def test_the_state_and_its_static_view_import_without_ipywidgets() -> None:
    code = (
        "import sys; sys.modules['ipywidgets'] = None\n"
        "import esim_orders.widgets.state, esim_orders.widgets.snapshot\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_page_size_is_checked() -> None:
    with pytest.raises(ValueError, match="page_size"):
        ExplorerState(0)


def test_the_cursor_stack_turns_older_and_newer() -> None:
    state = ExplorerState(3)
    assert not state.turn(+1) and not state.turn(-1)  # nothing read yet
    state.page_loaded(_page(1, 2, 3, next_cursor="c2"))
    assert state.can_go_older and not state.can_go_newer
    assert state.turn(+1) and state.cursor == "c2" and state.page_index == 1
    state.page_loaded(_page(4, 5))
    assert state.first_row == 4 and not state.can_go_older and state.can_go_newer
    assert [s.ref if s else None for s in state.rows()] == ["zim:ordr_0004", "zim:ordr_0005", None]
    assert not state.turn(+1)
    assert state.turn(-1) and state.cursor is None and state.first_row == 1
    state.page_failed("Search text: too short")
    assert state.page is None and state.error == "Search text: too short"
    state.restart(FAILED)
    assert state.query == FAILED and state.cursors == [None]


def test_the_charts_counters_are_reused_for_their_query_only(tmp_path: Path) -> None:
    state = ExplorerState(3, FAILED)
    assert state.tallied_for(FAILED) is None and state.chart_data() is None
    failed = [_summary(1, "FAILED", "PLAN_NOT_FOUND"), _summary(2, "FAILED", "PLAN_NOT_FOUND")]
    titles = {("zim", "PLAN_NOT_FOUND"): "Plan not found"}
    state.tallied = Tallied(FAILED, ChartTally.of(failed), titles, None)
    assert state.tallied_for(FAILED) is state.tallied
    assert state.tallied_for(OrderQuery()) is None
    series, causes = state.chart_data()
    assert series.total == 2 and causes == [("Plan not found (PLAN_NOT_FOUND)", 2)]
    path = state.export_path(tmp_path, datetime(2026, 11, 23, 12, 0, 5, tzinfo=UTC))
    assert path == tmp_path / "esim-orders-20261123-120005.csv"
    with CsvFile(path) as out:
        for summary in failed:
            out.add(summary)
    state.exported(Exported(path, out.rows, None))
    assert state.last_export_path == path and state.last_export.count("zim:ordr_") == 2
    state.restart(OrderQuery())
    assert state.tallied is None


def test_a_csv_file_appears_only_once_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    with pytest.raises(RuntimeError), CsvFile(path) as out:
        out.add(_summary(1))
        raise RuntimeError("the reading failed")
    assert list(tmp_path.iterdir()) == []


def test_the_header_says_where_the_orders_come_from_by_the_typed_flag() -> None:
    both = (Provider.PRESSONE, Provider.ZIM)
    assert source_line(both, True) == (
        "Sandbox data: PressOne and Zim demo orders from the embedded sandbox; no real customer "
        "or order is shown"
    )
    assert source_line((Provider.ZIM,), False) == "Live orders from Zim"
    assert "<h3>Orders</h3>" in header_html(both, False, "Orders")
    assert "<h3>" not in header_html(both, False, None)


def test_the_static_view_shows_the_state() -> None:
    state = ExplorerState(3, FAILED)
    assert "Loading orders…" in static_html(state, "<header/>")
    state.page_loaded(_page(1, 2))
    state.select("zim:ordr_0002")
    view = static_html(state, "<header/>", '<div class="eo-charts-drawn"></div>')
    assert view.index("<header/>") < view.index("Filters: FAILED") < view.index("zim:ordr_0001")
    assert 'class="eo-selected"' in view and view.endswith(
        '<div class="eo-charts-drawn"></div></div>'
    )
    state.page_failed("Provider down")
    assert "eo-error" in static_html(state, "") and "zim:ordr_0001" not in static_html(state, "")
