"""The pure renderers: escaped provider text, the same data as the MCP text, theme-safe CSS."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from esim_orders.esim_models import EsimAnswer, EsimState, Quota
from esim_orders.failures import Thresholds, explain_order
from esim_orders.models import Order, OrderStatus
from esim_orders.render.text import order_card
from esim_orders.tools.views import OrderPage, OrderSummary, ProviderIssue
from esim_orders.widgets import charts, html, markdown
from esim_orders.widgets.theme import STYLESHEET

RAW_MARKUP = ("<script", "<img", "onerror=alert(2)>", "\u202e")
WHITE_BACKGROUND = re.compile(
    r"(background(-color)?\s*:|fill\s*=\s*\"|fill\s*:)\s*"
    r"(white|#fff\b|#ffffff|rgb\(\s*255\s*,\s*255\s*,\s*255\s*\))",
    re.IGNORECASE,
)


def assert_inert(rendered: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in rendered, f"{raw!r} reached the output unescaped"


def test_order_card_html_escapes_every_provider_field(hostile_order: Order) -> None:
    rendered = html.order_card_html(hostile_order)
    assert_inert(rendered)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "&lt;img src=x onerror=alert(2)&gt;" in rendered


def test_listing_and_explanation_html_escape_provider_text(
    hostile_order: Order, hostile: str, now: datetime
) -> None:
    summary = OrderSummary.of(hostile_order)
    page = OrderPage(
        orders=[summary],
        returned=1,
        total=1,
        provider_errors=[ProviderIssue(provider="zim", error=hostile)],
    )
    expl = explain_order(hostile_order, now + timedelta(hours=1), Thresholds())
    for rendered in (
        html.page_html(page),
        html.orders_table([summary]),
        html.explanation_html(expl),
        html.error_html(hostile),
        html.badge("FAILED", hostile),
    ):
        assert_inert(rendered)
        assert "&lt;" in rendered


def test_markdown_escapes_markup_links_and_html(hostile_order: Order, now: datetime) -> None:
    summary = OrderSummary.of(hostile_order)
    page = OrderPage(orders=[summary], returned=1, total=1)
    expl = explain_order(hostile_order, now + timedelta(hours=1), Thresholds())
    for rendered in (
        markdown.order_card_markdown(hostile_order),
        markdown.page_markdown(page),
        markdown.explanation_markdown(expl),
    ):
        assert_inert(rendered)
        assert "](javascript" not in rendered
        assert "\\[click\\]\\(javascript" in rendered
        # A table cell cannot be split by provider text.
        assert " | pipe" not in rendered


def test_svg_charts_escape_cause_labels(hostile_order: Order) -> None:
    summary = OrderSummary.of(hostile_order)
    rendered = charts.charts_html([summary])
    assert_inert(rendered)
    assert "<svg" in rendered


def test_order_card_html_shows_the_lines_of_the_text_card(hostile_order: Order) -> None:
    """The HTML and the MCP text are renderings of one model: same facts, same labels."""
    order = hostile_order.model_copy(
        update={"code": "20230227-009666", "description": "Trip to Japan"}
    )
    text = order_card(order)
    rendered = html.order_card_html(order)
    for fact in ("20230227-009666", "Trip to Japan", "4.90 USD", "8944000000000000001"):
        assert fact in text
        assert fact in rendered
    assert "provider holds its QR code; not shown" in text
    assert "provider holds its QR code; not shown" in rendered


def test_models_and_views_render_themselves_in_jupyter(hostile_order: Order, now: datetime) -> None:
    """IPython's formatters show an order and every tool view as HTML and Markdown."""
    from IPython.core.interactiveshell import InteractiveShell

    from esim_orders.widgets import display

    shell = InteractiveShell.instance()
    assert display.register(shell)
    summary = OrderSummary.of(hostile_order)
    page = OrderPage(orders=[summary], returned=1, total=1)
    expl = explain_order(hostile_order, now + timedelta(hours=1), Thresholds())
    esims = EsimAnswer(
        ref="pressone:9666",
        esims=[
            EsimState(
                provider="pressone",
                iccid="8944000000000000001",
                order_ref="pressone:9666",
                provider_status=hostile_order.description,  # a word no provider documents
                data=Quota(unit="MB", total=2048, remaining=1024),
            )
        ],
    )
    assert 'class="eo-bar"' in shell.display_formatter.format(esims)[0]["text/html"]
    for item in (hostile_order, summary, page, expl, esims):
        data, _ = shell.display_formatter.format(item)
        rendered = data.get("text/html")
        assert rendered and 'class="eo-view"' in rendered
        assert "pressone:9666" in rendered
        assert_inert(rendered)
        text = data.get("text/markdown")
        assert text and "pressone:9666" in text
    assert "Next steps" in shell.display_formatter.format(expl)[0]["text/html"]
    # A view with no rendering of its own falls back to the default repr.
    data, _ = shell.display_formatter.format(expl.evidence[0])
    assert "text/html" not in data and "Evidence(" in data["text/plain"]
    # The models know nothing of Jupyter (no import circle from models to widgets).
    assert not hasattr(hostile_order, "_repr_html_") and not hasattr(expl, "_repr_html_")


def test_importing_the_widgets_in_a_running_ipython_registers_the_display() -> None:
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "from esim_orders.models import Order\n"
        "order = Order(provider='zim', id='ordr_1', status='FAILED')\n"
        "assert 'text/html' not in shell.display_formatter.format(order)[0]\n"
        "import esim_orders.widgets\n"
        "html = shell.display_formatter.format(order)[0]['text/html']\n"
        "assert 'class=\"eo-view\"' in html and 'zim:ordr_1' in html, html\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_status_badges_carry_a_class_per_status() -> None:
    for status in OrderStatus:
        rendered = html.badge(status)
        assert f"eo-s-{status.value.lower()}" in rendered
        assert f"eo-s-{status.value.lower()}" in STYLESHEET


def test_no_hard_coded_white_backgrounds(hostile_order: Order, now: datetime) -> None:
    """Dark themes: every background is a theme variable or a translucent tint."""
    from esim_orders.widgets.table import GRID_CSS

    summary = OrderSummary.of(hostile_order)
    expl = explain_order(hostile_order, now + timedelta(hours=1), Thresholds())
    outputs = [
        STYLESHEET,
        GRID_CSS,
        html.order_card_html(hostile_order),
        html.explanation_html(expl),
        html.page_html(OrderPage(orders=[summary], returned=1, total=1)),
        html.error_html("x"),
        charts.charts_html([summary]),
    ]
    for rendered in outputs:
        assert not WHITE_BACKGROUND.search(rendered), WHITE_BACKGROUND.search(rendered)
    assert "var(--jp-layout-color1" in STYLESHEET
    assert "var(--jp-ui-font-color1" in STYLESHEET


def test_status_chart_counts_orders_per_period_and_status(now: datetime) -> None:
    def summary(ref: str, status: str, days_ago: int) -> OrderSummary:
        return OrderSummary(
            ref=ref, status=status, type="ONE_OFF", created_at=now - timedelta(days=days_ago)
        )

    orders = [
        summary("zim:a", "FAILED", 0),
        summary("zim:b", "COMPLETED", 0),
        summary("zim:c", "COMPLETED", 3),
        OrderSummary(ref="zim:d", status="PENDING", type="ONE_OFF"),
    ]
    series = charts.status_over_time(orders)
    assert series.unit == "day"
    assert len(series.periods) == 4  # empty days in between are kept
    assert series.counts[-1] == {OrderStatus.FAILED: 1, OrderStatus.COMPLETED: 1}
    assert series.undated == 1
    assert series.total == 4
    causes = charts.failure_causes(
        [*orders, OrderSummary(ref="zim:e", status="FAILED", type="ONE_OFF", failure_reason="X")],
        {("zim", "X"): "Plan not found"},
    )
    assert causes == [(charts.NO_REASON, 1), ("Plan not found (X)", 1)]


@pytest.mark.parametrize(
    "module",
    [
        "esim_orders",
        "esim_orders.models",
        "esim_orders.tools",
        "esim_orders.cli",
        "esim_orders.server",
        "esim_orders.widgets",
    ],
)
def test_importing_the_package_loads_no_notebook_dependency(module: str) -> None:
    """The MCP server path must not pay for ipywidgets or pandas."""
    code = (
        f"import sys, {module}\n"
        "heavy = [m for m in ('ipywidgets', 'pandas', 'IPython', 'esim_orders.widgets.html') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_missing_ipywidgets_names_the_extra_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['ipywidgets'] = None\n"
        "import esim_orders.widgets as w\n"
        "try:\n"
        "    w.OrdersExplorer\n"
        "except ImportError as exc:\n"
        '    assert "esim-orders[notebook]" in str(exc), exc\n'
        "else:\n"
        "    raise AssertionError('no ImportError')\n"
        "from esim_orders.widgets.html import order_card_html  # the renderers need no widgets\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_every_cause_in_the_chart_reads_as_a_title_and_its_code() -> None:
    causes = charts.rank_causes(
        {("zim", "PLAN_NOT_FOUND"): 3, ("zim", "NETWORK_REJECTED"): 2, ("pressone", None): 1},
        {("zim", "PLAN_NOT_FOUND"): "Plan not found"},
    )
    assert causes == [
        ("Plan not found (PLAN_NOT_FOUND)", 3),
        ("Not documented (NETWORK_REJECTED)", 2),
        (charts.NO_REASON, 1),
    ]


def test_the_status_chart_starts_at_the_orders_not_at_one_long_before(now: datetime) -> None:
    """One order months before the rest would stretch the weeks to mostly empty ones."""
    recent = [
        OrderSummary(
            ref=f"zim:{i}", status="COMPLETED", type="ONE_OFF", created_at=now - timedelta(days=i)
        )
        for i in range(0, 100, 2)
    ]
    early = OrderSummary(
        ref="zim:old", status="FAILED", type="ONE_OFF", created_at=now - timedelta(days=190)
    )
    series = charts.status_over_time([early, *recent])
    assert series.unit == "week"
    assert series.periods[0] >= (now - timedelta(days=99 + 7)).date()
    assert series.earlier == 1 and series.total == 51
    assert "1 order created before " in charts.charts_body(series, [])
    # Orders spread evenly keep their first week, however long ago.
    spread = [
        *recent,
        OrderSummary(
            ref="zim:x", status="FAILED", type="ONE_OFF", created_at=now - timedelta(days=120)
        ),
    ]
    assert charts.status_over_time(spread).earlier == 0
