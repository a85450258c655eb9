"""Themed HTML views for the notebook: listings, cards and messages, in the shared stylesheet.

Cards are the rows of `esim_orders.render` as HTML, so they say what the text says; nothing
here imports ipywidgets or does I/O, and the widgets are thin layers over these functions.
Every value that comes from a provider passes through `text()`: control and bidi characters
removed, then `html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from ..esim_models import EsimAnswer, EsimState
from ..failures.explanation import Explanation
from ..models import Order
from ..render.html import (
    badge,
    esim_answer_body,
    explanation_body,
    line_cells,
    order_card_body,
    text,
)
from ..render.listing import COLUMNS, listing_line
from ..tools.views import OrderPage, OrderSummary, ProviderIssue, View
from .theme import STYLESHEET

__all__ = [
    "COLUMNS",
    "badge",
    "error_html",
    "explanation_body",
    "explanation_html",
    "notice_html",
    "order_card_body",
    "order_card_html",
    "orders_table",
    "page_caption",
    "page_html",
    "summary_cells",
    "text",
    "view",
    "view_html",
]


def view(body: str, *, with_style: bool = True) -> str:
    """Wrap a fragment in the themed container; the stylesheet makes each output standalone."""
    style = STYLESHEET if with_style else ""
    return f'{style}<div class="eo-view">{body}</div>'


# --------------------------------------------------------------------------- listings


def summary_cells(summary: OrderSummary) -> list[str]:
    """One listing row as HTML cells, in `COLUMNS` order: the fields of `render.listing`."""
    return line_cells(listing_line(summary))


def orders_table(
    summaries: Sequence[OrderSummary], *, selected: str | None = None, with_style: bool = True
) -> str:
    """A static table of summaries; the selected ref is highlighted."""
    head = "".join(
        f"<th>{html.escape(c)}{' (UTC)' if c == 'Created' else ''}</th>" for c in COLUMNS
    )
    rows = []
    for summary in summaries:
        mark = ' class="eo-selected"' if selected and summary.ref == selected else ""
        cells = "".join(f"<td>{cell}</td>" for cell in summary_cells(summary))
        rows.append(f"<tr{mark}>{cells}</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(COLUMNS)}" class="eo-muted">No orders match.</td></tr>')
    body = "".join(rows)
    table = f'<table class="eo-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    return view(table, with_style=with_style)


def page_caption(page: OrderPage, *, first: int = 1) -> str:
    """`Orders 21–40 of 1000, newest first`: where this page sits in the listing."""
    if not page.orders:
        return "No orders match."
    last = first + page.returned - 1
    span = f"{first}–{last}" if last > first else f"{first}"
    if page.total is not None and page.total_exact:
        return f"Orders {span} of {page.total}, newest first"
    if page.total is not None:
        return f"Orders {span} of at least {page.total}, newest first"
    more = " (more on the next page)" if page.next_cursor else ""
    return f"Orders {span}, newest first{more}"


def issues_html(issues: Iterable[ProviderIssue]) -> str:
    """Providers that could not answer: the rest of the listing still stands."""
    return "".join(
        f'<div class="eo-notice"><b>{text(i.provider)}</b>: {text(i.error)}</div>' for i in issues
    )


def page_html(
    page: OrderPage, *, first: int = 1, selected: str | None = None, with_style: bool = True
) -> str:
    """A whole `list_orders` answer: caption, table, provider issues."""
    body = (
        f'<div class="eo-muted">{text(page_caption(page, first=first))}</div>'
        + orders_table(page.orders, selected=selected, with_style=False)
        + issues_html(page.provider_errors)
    )
    return view(body, with_style=with_style)


# --------------------------------------------------------------------------- one order


def order_card_html(
    order: Order, esims: list[EsimState] | None = None, *, with_style: bool = True
) -> str:
    return view(order_card_body(order, esims), with_style=with_style)


def explanation_html(expl: Explanation, *, with_style: bool = True) -> str:
    return view(explanation_body(expl), with_style=with_style)


def summary_html(summary: OrderSummary) -> str:
    return orders_table([summary])


# --------------------------------------------------------------------------- messages


def error_html(message: str, *, with_style: bool = True) -> str:
    """A readable error in place of the view it stopped."""
    body = f'<div class="eo-error" role="alert">{text(message, 1000)}</div>'
    return view(body, with_style=with_style)


def notice_html(message: str, *, with_style: bool = True) -> str:
    return view(f'<div class="eo-muted">{text(message, 1000)}</div>', with_style=with_style)


def view_html(item: View | Order) -> str | None:
    """The HTML of an order or any tool view; None for a view with no rendering of its own."""
    if isinstance(item, Order):
        return order_card_html(item)
    if isinstance(item, OrderPage):
        return page_html(item)
    if isinstance(item, OrderSummary):
        return summary_html(item)
    if isinstance(item, Explanation):
        return explanation_html(item)
    if isinstance(item, ProviderIssue):
        return view(issues_html([item]))
    if isinstance(item, EsimAnswer):
        return view(esim_answer_body(item))
    return None
