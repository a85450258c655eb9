"""OrdersExplorer without a browser: the widgets show exactly what the tools return."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from esim_orders.failures.explanation import Explanation
from esim_orders.models import Order, OrderStatus, Provider
from esim_orders.service.sync import SyncOrderService
from esim_orders.tools import get_esim
from esim_orders.tools.views import OrderPage
from esim_orders.widgets import FailureCard, OrderCard, OrdersExplorer
from esim_orders.widgets.export import CSV_COLUMNS

from ..helpers import free_port

PAGE = 10
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def shown_refs(explorer: OrdersExplorer) -> list[str]:
    return [row.summary.ref for row in explorer.rows if row.summary is not None]


@pytest.fixture
def explorer(service: SyncOrderService) -> OrdersExplorer:
    return OrdersExplorer(service=service, page_size=PAGE).wait()


def same_page(shown: OrderPage | None, expected: OrderPage) -> bool:
    """The same page of orders; its cursor carries the second it was issued, so two reads of
    one page across a clock tick differ there and only there."""
    assert shown is not None
    return shown.model_dump(exclude={"next_cursor"}) == expected.model_dump(
        exclude={"next_cursor"}
    ) and bool(shown.next_cursor) == bool(expected.next_cursor)


def test_opens_on_the_first_page_of_list_orders(
    explorer: OrdersExplorer, tool_page: Callable[..., OrderPage]
) -> None:
    expected = tool_page(limit=PAGE)
    assert same_page(explorer.page, expected)
    assert shown_refs(explorer) == [o.ref for o in expected.orders]
    assert {ref.partition(":")[0] for ref in shown_refs(explorer)} <= {"pressone", "zim"}
    assert f"of {expected.total}" in explorer.caption.value
    assert explorer.error is None
    assert not explorer.loading


def test_with_no_arguments_it_shows_both_sandbox_providers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No credentials: the default service is the embedded sandbox, both providers."""
    from esim_orders.widgets import session

    for name in ("PRESSONE_BASE_URL", "PRESSONE_CLIENT_ID", "ZIM_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ESIM_ORDERS_PROVIDERS", raising=False)
    monkeypatch.setattr(session, "_default", None)
    explorer = OrdersExplorer(page_size=100).wait()
    try:
        providers = {ref.partition(":")[0] for ref in shown_refs(explorer)}
        assert providers == {"pressone", "zim"}
        assert "embedded sandbox" in explorer.static_html()
    finally:
        explorer.service.close()


def test_a_status_filter_shows_only_matching_orders(
    explorer: OrdersExplorer, tool_page: Callable[..., OrderPage]
) -> None:
    choice = next(v for label, v in explorer.status_filter.options if label == "Failed")
    explorer.status_filter.value = choice  # as a person picks it
    explorer.wait()
    expected = tool_page(status=[OrderStatus.FAILED], limit=PAGE)
    assert shown_refs(explorer) == [o.ref for o in expected.orders]
    assert all(row.summary.status is OrderStatus.FAILED for row in explorer.rows if row.summary)
    assert all("eo-s-failed" in row.cells.value for row in explorer.rows if row.summary)


def test_filters_combine_like_the_tool_arguments(
    explorer: OrdersExplorer, tool_page: Callable[..., OrderPage]
) -> None:
    explorer.set_filters(provider="zim", status=["COMPLETED"], type="TOP_UP").wait()
    expected = tool_page(provider="zim", status=["COMPLETED"], type="TOP_UP", limit=PAGE)
    assert same_page(explorer.page, expected)
    assert all(ref.startswith("zim:") for ref in shown_refs(explorer))
    explorer.set_filters(provider=None, status=None, type=None, text="Japan").wait()
    assert same_page(explorer.page, tool_page(text="Japan", limit=PAGE))
    # The search box finds plans and places too: Zim's "Japan · …" plans have no description.
    assert {ref.split(":")[0] for ref in shown_refs(explorer)} == {"pressone", "zim"}
    day = expected.orders[0].created_at.date()
    explorer.set_filters(text=None, created_from=day, created_to=day).wait()
    assert explorer.page.orders
    assert all(o.created_at.date() == day for o in explorer.page.orders)


def test_pages_follow_the_tool_cursor(
    explorer: OrdersExplorer, tool_page: Callable[..., OrderPage]
) -> None:
    first = tool_page(limit=PAGE)
    explorer.next_button.click()
    explorer.wait()
    second = tool_page(limit=PAGE, cursor=first.next_cursor)
    assert same_page(explorer.page, second)
    assert f"Orders {PAGE + 1}–{2 * PAGE} of" in explorer.caption.value
    explorer.prev_button.click()
    explorer.wait()
    assert same_page(explorer.page, first)
    assert explorer.prev_button.disabled


def test_selecting_a_failed_order_opens_its_card_and_explanation(
    explorer: OrdersExplorer, tool_explanation: Callable[[str], Explanation]
) -> None:
    explorer.set_filters(status="FAILED").wait()
    row = explorer.rows[0]
    ref = row.summary.ref
    row.button.click()
    explorer.wait()
    assert explorer.selected == ref
    assert "eo-selected" in row.box._dom_classes
    assert explorer.card.order is not None and explorer.card.order.ref == ref
    assert ref in explorer.card.view.value
    expected = tool_explanation(ref)
    assert explorer.failure.explanation is not None
    assert explorer.failure.explanation.title == expected.title
    assert explorer.failure.explanation.diagnosis == expected.diagnosis
    assert expected.something_wrong
    assert "Next steps" in explorer.failure.view.value
    assert ref in explorer.static_html()


def test_a_completed_order_card_shows_each_esim_state_and_a_data_left_bar(
    explorer: OrdersExplorer, service: SyncOrderService
) -> None:
    explorer.set_filters(provider="pressone", status="COMPLETED").wait()
    for row in explorer.rows:
        answer = service.run(partial(get_esim, service.service, ref=row.summary.ref))
        if answer.esims and answer.esims[0].data and answer.esims[0].data.remaining:
            break
    else:
        raise AssertionError("no PressOne eSIM with data left on the first page")
    explorer.select(row.summary.ref)
    explorer.wait()
    card = explorer.card.view.value
    esim = answer.esims[0]
    assert f'<span class="eo-mono">{esim.iccid}</span>: {esim.status.value}' in card
    assert 'class="eo-bar"' in card and f"{esim.data.remaining} of {esim.data.total} MB" in card


def test_a_healthy_order_gets_its_card_and_no_failure_card(explorer: OrdersExplorer) -> None:
    explorer.set_filters(status="COMPLETED").wait()
    ref = explorer.rows[0].summary.ref
    explorer.select(ref)
    explorer.wait()
    assert explorer.card.order.ref == ref
    assert explorer.explanation is not None and not explorer.explanation.something_wrong
    assert explorer.failure.explanation is None
    assert 'class="eo-card' not in explorer.failure.view.value
    assert explorer.explanation.title in explorer.failure.view.value


def test_export_writes_every_matching_order_and_no_secret(
    service: SyncOrderService, tool_page: Callable[..., OrderPage], tmp_path: Path
) -> None:
    """Written to a file as the orders are read (in no particular order), and, being
    small, offered from the page too."""
    explorer = OrdersExplorer(
        service=service, page_size=PAGE, charts=False, export_dir=tmp_path
    ).wait()
    explorer.export_button.click()
    explorer.wait()
    data = explorer.last_export
    assert explorer.last_export_path.parent == tmp_path
    assert explorer.last_export_path.read_text(encoding="utf-8") == data
    rows = list(csv.DictReader(io.StringIO(data)))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    everything = []
    page = tool_page(limit=100)
    everything += page.orders
    while page.next_cursor:  # more than one tool page: the export walked the cursor
        page = tool_page(limit=100, cursor=page.next_cursor)
        everything += page.orders
    assert len(everything) > 100
    assert sorted(r["ref"] for r in rows) == sorted(o.ref for o in everything)
    assert len(rows) == explorer.page.total
    for secret in ("sandbox-secret", "secret", "LPA:", "token", "@"):
        assert secret not in data.lower()
    link = re.search(
        r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', explorer.export_link.value
    )
    assert link and base64.b64decode(link.group(1)).decode() == data
    assert 'download="esim-orders-' in explorer.export_link.value


def test_export_follows_the_filters(explorer: OrdersExplorer) -> None:
    explorer.set_filters(provider="zim", status="FAILED").wait()
    csv_data = explorer.export_csv()
    rows = list(csv.DictReader(io.StringIO(csv_data)))
    assert len(rows) == explorer.page.total > 0
    assert {r["status"] for r in rows} == {"FAILED"}
    assert all(r["ref"].startswith("zim:") for r in rows)


def test_export_writes_price_as_an_amount_and_a_currency(explorer: OrdersExplorer) -> None:
    """A spreadsheet sums the amount column: a number alone, its currency beside it."""
    rows = list(csv.DictReader(io.StringIO(explorer.export_csv())))
    assert "price" not in rows[0] and {"amount", "currency"} <= set(rows[0])
    by_ref = {s.ref: s for s in explorer.all_orders()}
    priced = [r for r in rows if by_ref[r["ref"]].price]
    assert len(priced) > 100
    for row in priced:
        assert re.fullmatch(r"\d+(\.\d+)?", row["amount"]) and re.fullmatch(
            "[A-Z]{3}", row["currency"]
        )
        assert f"{row['amount']} {row['currency']}" == by_ref[row["ref"]].price
    frame = explorer.to_dataframe()
    assert frame["amount"].dtype.kind == "f" and frame["amount"].sum() > 0


def test_the_kpi_tiles_count_as_the_tools_do(
    explorer: OrdersExplorer,
    service: SyncOrderService,
    tool_page: Callable[..., OrderPage],
    tool_explanation: Callable[[str], Explanation],
) -> None:
    """Counted on the charts' one reading: today's orders, failed ones and stuck ones per
    provider, as list_orders totals and explain_failure verdicts say."""
    today = service.service.now().date()
    counts = {c.provider: c for c in explorer.state.tallied.counts}
    assert set(counts) == {Provider.PRESSONE, Provider.ZIM}
    for provider, count in counts.items():
        assert count.orders == tool_page(provider=provider, limit=1).total
        assert count.today == tool_page(provider=provider, created_after=today, limit=1).total
        assert count.failed == tool_page(provider=provider, status=["FAILED"], limit=1).total
        waiting = tool_page(provider=provider, status=["PENDING", "PROCESSING"], limit=100)
        stuck = [o for o in waiting.orders if tool_explanation(o.ref).outcome == "stuck"]
        assert count.stuck == len(stuck)
    assert sum(c.stuck for c in counts.values()) > 0
    tiles = explorer.tiles.value
    for field in ("today", "failed", "stuck"):
        total = sum(getattr(c, field) for c in counts.values())
        assert (
            f'data-kpi="{field}"' in tiles and f'<div class="eo-kpi-value">{total:,}</div>' in tiles
        )
    assert "Of all 120 orders" in tiles
    explorer.set_filters(status="FAILED").wait()
    assert "matching the filters" in explorer.tiles.value


def test_the_card_takes_room_only_while_an_order_is_open(explorer: OrdersExplorer) -> None:
    assert explorer.detail.layout.display == "none"
    ref = explorer.rows[0].summary.ref
    explorer.select(ref)
    explorer.wait()
    assert explorer.detail.layout.display == "flex" and explorer.selected == ref
    explorer.detail.close_button.click()
    assert explorer.detail.layout.display == "none" and explorer.selected is None
    assert not any("eo-selected" in row.box._dom_classes for row in explorer.rows)


def test_charts_count_every_matching_order(explorer: OrdersExplorer) -> None:
    value = explorer.charts.value
    assert value.count("<svg") == 2
    assert "Orders by status" in value and "Failed orders by cause" in value
    failed = sum(1 for s in explorer.all_orders() if s.status is OrderStatus.FAILED)
    assert f"Failed orders by cause ({failed})" in value
    assert "Plan not found (PLAN_NOT_FOUND)" in value  # the catalogue's title via the tool


def test_charts_html_draws_what_the_pane_drew(
    explorer: OrdersExplorer,
) -> None:
    drawn = explorer.charts.value
    standalone = explorer.charts_html()
    assert standalone.count("<svg") == 2
    start = drawn.index("<svg")
    assert drawn[start : drawn.rindex("</svg>")] in standalone


def test_to_dataframe_has_one_row_per_matching_order(explorer: OrdersExplorer) -> None:
    frame = explorer.to_dataframe()
    assert len(frame) == explorer.page.total
    assert list(frame.columns) == list(CSV_COLUMNS)
    assert str(frame["created_at"].dt.tz) == "UTC"


def test_to_dataframe_names_the_extra_when_pandas_is_missing(
    explorer: OrdersExplorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"esim-orders\[pandas\]"):
        explorer.to_dataframe()


def test_errors_show_as_readable_messages(explorer: OrdersExplorer) -> None:
    explorer.set_filters(text="x").wait()  # the tool wants at least 2 characters
    assert explorer.page is None
    assert explorer.error.startswith("Search text:")
    assert "eo-error" in explorer.message.value
    assert not shown_refs(explorer)
    explorer.set_filters(text=None).wait()
    assert explorer.error is None and shown_refs(explorer)
    explorer.select("zim:ordr_NoSuchOrder0000000000")
    explorer.wait()
    assert explorer.card.error == (
        "No order zim:ordr_NoSuchOrder0000000000. Use the orders table to find order refs."
    )
    assert "eo-error" in explorer.card.view.value


def test_a_provider_outage_is_described_not_raised(
    make_service: Callable[..., SyncOrderService],
) -> None:
    down = make_service(fault_rate=1.0, faults=("503",))
    explorer = OrdersExplorer(service=down).wait()
    assert explorer.page is None
    assert "unavailable" in explorer.error and "retry in a minute" in explorer.error
    assert "Traceback" not in explorer.message.value


def test_loading_never_blocks_the_calling_thread(
    make_service: Callable[..., SyncOrderService],
) -> None:
    """Each sandbox request takes 0.6 s; the constructor and a click return before any
    answer came, with the progress line saying what loads."""
    slow = make_service(latency_ms=600)
    started = time.monotonic()
    explorer = OrdersExplorer(service=slow, charts=False)
    assert time.monotonic() - started < 0.6
    assert explorer.page is None  # returned before the first page arrived
    assert explorer.loading and explorer.activity.layout.visibility == "visible"
    assert "Loading orders" in explorer.activity.label.value
    explorer.wait()
    assert explorer.page is not None and not explorer.activity.active
    started = time.monotonic()
    explorer.rows[0].button.click()
    assert time.monotonic() - started < 0.6
    assert explorer.card.order is None and explorer.detail_activity.active
    explorer.wait()
    assert explorer.card.order is not None


async def test_widget_updates_run_on_the_kernel_loop_thread(service: SyncOrderService) -> None:
    """As in a kernel: the loop that created the widgets applies every update to them, while
    the tool calls run elsewhere; the loop is never blocked."""
    applied: list[threading.Thread] = []
    explorer = OrdersExplorer(service=service, page_size=PAGE, charts=False)
    show = explorer._show_page

    def recording(page: OrderPage) -> None:
        applied.append(threading.current_thread())
        show(page)

    explorer._show_page = recording  # type: ignore[method-assign]
    for _ in range(1000):  # up to 10 s on a loaded machine
        if explorer.page is not None:
            break
        await asyncio.sleep(0.01)
    assert explorer.page is not None
    assert applied == [threading.current_thread()]


def test_a_saved_notebook_gets_html_beside_the_widget(
    explorer: OrdersExplorer, service: SyncOrderService
) -> None:
    bundle = explorer._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    static = bundle["text/html"]
    assert 'class="eo-view"' in static and "<table" in static
    for ref in shown_refs(explorer):
        assert ref in static
    order = service.get_order(shown_refs(explorer)[0])
    card = OrderCard(order)._repr_mimebundle_()
    assert WIDGET_VIEW in card and order.ref in card["text/html"]


def test_cards_work_alone_from_a_ref_or_a_model(
    service: SyncOrderService, tool_page: Callable[..., OrderPage]
) -> None:
    ref = tool_page(status=["FAILED"], provider="zim", limit=1).orders[0].ref
    card = OrderCard(ref, service=service).wait()
    assert isinstance(card.order, Order) and card.order.ref == ref
    assert OrderCard(card.order).view.value == card.view.value
    failure = FailureCard(ref, service=service).wait()
    assert failure.explanation is not None and failure.explanation.ref == ref
    again = FailureCard(failure.explanation)
    assert again.view.value == failure.view.value
    assert "Escalation note for provider support" in failure._repr_mimebundle_()["text/html"]
    assert Provider.ZIM.value in again.static_html()


def test_a_large_export_is_offered_as_its_file_not_inline(
    service: SyncOrderService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `INLINE_MAX_BYTES` the page links to the file (relative to the kernel's working
    directory, which Jupyter serves) and nothing of the CSV is kept in memory."""
    monkeypatch.setattr("esim_orders.widgets.state.INLINE_MAX_BYTES", 100)
    monkeypatch.chdir(tmp_path)
    explorer = OrdersExplorer(service=service, page_size=PAGE, charts=False).wait()
    explorer.export_button.click()
    explorer.wait()
    path = explorer.last_export_path
    assert explorer.last_export is None and path.parent == tmp_path
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == explorer.page.total
    link = explorer.export_link.value
    assert f'href="{path.name}"' in link and "data:" not in link
    assert f"{explorer.page.total} orders" in link


def test_a_provider_error_shows_once_in_the_view_and_not_under_the_cell() -> None:
    """A kernel as a notebook has it (logging not configured): the explorer's view says what
    failed, and nothing more reaches stderr (a notebook shows each write as an output)."""
    script = (
        "from esim_orders.widgets import OrdersExplorer\n"
        "explorer = OrdersExplorer()\n"
        "explorer.wait()\n"
        "print(explorer.error)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRESSONE_", "ZIM_"))}
    env |= {
        "PRESSONE_BASE_URL": f"http://127.0.0.1:{free_port()}/pressone",  # nothing listens
        "PRESSONE_CLIENT_ID": "id",
        "PRESSONE_CLIENT_SECRET": "secret",
        "ESIM_ORDERS_PROVIDER_DEADLINE_SECONDS": "0.5",
        "ESIM_ORDERS_LOG_LEVEL": "WARNING",
    }
    kernel = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert kernel.returncode == 0, kernel.stderr
    assert kernel.stdout.startswith("PressOne could not be reached"), kernel.stdout
    assert "check PRESSONE_BASE_URL" in kernel.stdout
    assert kernel.stderr == ""
