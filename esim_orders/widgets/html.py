"""Pure HTML renderings of the tool views: the same data the MCP text shows, escaped, themed.

Nothing here imports ipywidgets or does I/O, so models and views can use these functions for
their `_repr_html_`, and the widgets are thin layers over them. Every value that comes from a
provider passes through `text()`: control and bidi characters removed, then `html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime

from ..failures.explanation import Explanation
from ..models import Order, OrderStatus
from ..text import clean_provider_text
from ..tools.explain_render import _say as say
from ..tools.render import held_secrets, plan_text, price_text, status_label, when
from ..tools.views import OrderPage, OrderSummary, ProviderIssue, View
from .theme import STYLESHEET, status_css_class

#: The listing's columns, in the order `render.order_line` writes them.
COLUMNS: tuple[str, ...] = (
    "Order",
    "Created",
    "Status",
    "Type",
    "Code",
    "Plan",
    "Price",
    "Failure reason",
)
TEXT_CAP = 500
_AS_DATA = '<span class="eo-muted">(provider data, not instructions)</span>'


def text(value: object, cap: int = TEXT_CAP) -> str:
    """Any value as safe HTML text: cleaned of control/bidi characters, capped, escaped."""
    if value is None:
        return ""
    return html.escape(clean_provider_text(str(value), cap), quote=True)


def view(body: str, *, with_style: bool = True) -> str:
    """Wrap a fragment in the themed container; the stylesheet makes each output standalone."""
    style = STYLESHEET if with_style else ""
    return f'{style}<div class="eo-view">{body}</div>'


def short_when(moment: datetime | None) -> str:
    """`when()` without the trailing zone, for table cells (the header says UTC)."""
    return when(moment).removesuffix(" UTC") if moment else ""


def badge(status: OrderStatus | str, provider_status: str | None = None) -> str:
    """A coloured status pill; the provider's own word follows it when it says more, as in
    the text rendering (`PENDING (PENDING_PAYMENT)`), outside the pill so a narrow cell can
    cut it short without hiding the status."""
    label = status_label(str(status), provider_status)
    pill = f'<span class="eo-badge {status_css_class(status)}">{text(status, 30)}</span>'
    if label == str(status):
        return pill
    word = label[len(str(status)) :].strip().removeprefix("(").removesuffix(")")
    said = f'<span class="eo-muted">{text(word, 60)}</span>'
    return f'<span title="{text(label, 90)}">{pill} {said}</span>'


# --------------------------------------------------------------------------- listings


def summary_cells(summary: OrderSummary) -> list[str]:
    """One listing row as HTML cells, in `COLUMNS` order."""
    return [
        f'<span class="eo-mono">{text(summary.ref, 120)}</span>',
        text(short_when(summary.created_at)),
        badge(summary.status, summary.provider_status),
        text(summary.type),
        f'<span class="eo-mono">{text(summary.code, 60)}</span>' if summary.code else "",
        text(summary.plan, 120),
        text(summary.price, 40),
        f'<span class="eo-mono">{text(summary.failure_reason, 60)}</span>'
        if summary.failure_reason
        else "",
    ]


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
    if page.total is not None:
        return f"Orders {span} of {page.total}, newest first"
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


def _facts(rows: Iterable[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{v}</dd>" for k, v in rows if v)
    return f'<dl class="eo-facts">{items}</dl>' if items else ""


def order_card_body(order: Order) -> str:
    """The card of `render.order_card` as HTML: one fact per row, rows without data left out."""
    rows: list[tuple[str, str]] = []
    dates = text(when(order.created_at))
    if order.updated_at:
        dates += f", updated {text(when(order.updated_at))}"
    rows.append(("Type", text(status_label(order.type, order.provider_type), 80)))
    rows.append(("Created", dates))
    rows.append(("Code", f'<span class="eo-mono">{text(order.code)}</span>' if order.code else ""))
    if order.description:
        said = f'<span class="eo-quote">"{text(order.description)}"</span>'
        rows.append(("Description", f"{said} {_AS_DATA}"))
    rows.append(("Plan", text(plan_text(order.plan)) if order.plan else ""))
    if order.price:
        rows.append(("Price", text(price_text(order))))
    for esim in order.esims:
        held = held_secrets(esim)
        value = f'<span class="eo-mono">{text(esim.iccid or "without ICCID")}</span>'
        if esim.status:
            value += f" {text(esim.status, 40)}"
        if held:
            value += (
                f' <span class="eo-muted">(provider holds its {", ".join(held)}; not shown)</span>'
            )
        rows.append(("eSIM", value))
    if order.subscription:
        sub = order.subscription
        value = (
            f'<span class="eo-mono">{text(sub.id)}</span> '
            f"{text(status_label(sub.status, sub.provider_status), 60)}"
        )
        if sub.esim_id:
            value += f', eSIM <span class="eo-mono">{text(sub.esim_id)}</span>'
        rows.append(("Subscription", value))
    if order.failure:
        reason = order.failure.reason_code or "none given"
        rows.append(("Failure reason", f'<span class="eo-mono">{text(reason)}</span>'))
        if order.failure.message:
            said = f'<span class="eo-quote">"{text(order.failure.message)}"</span>'
            rows.append(("Provider message", f"{said} {_AS_DATA}"))
    for label, value in (
        ("Account", order.account_id),
        ("Payment", order.payment_id),
        ("Payment ref", order.payment_reference),
    ):
        rows.append((label, f'<span class="eo-mono">{text(value)}</span>' if value else ""))
    if order.customer:
        c = order.customer
        who = ", ".join(text(v) for v in (c.name, c.email, c.phone) if v)
        rows.append(("Customer", text(c.id or "unknown id") + (f": {who}" if who else "")))
    ref = f'<span class="eo-mono">{text(order.ref, 120)}</span>'
    head = f"<h4>{ref} {badge(order.status, order.provider_status)}</h4>"
    trouble = " eo-trouble" if order.status is OrderStatus.FAILED else ""
    return f'<div class="eo-card{trouble}">{head}{_facts(rows)}</div>'


def order_card_html(order: Order, *, with_style: bool = True) -> str:
    return view(order_card_body(order), with_style=with_style)


_OUTCOME_CLASS = {
    "failed": "eo-trouble",
    "stuck": "eo-stuck",
    "attention": "eo-stuck",
    "ok": "eo-ok",
}


def explanation_body(expl: Explanation) -> str:
    """`explanation_text` as a card: verdict, why, who acts, next steps, escalation note."""
    subject = expl.ref or (f"{expl.provider} code {expl.code}" if expl.code else "Order")
    head = f'<h4>{text(expl.title, 120)} <span class="eo-muted eo-mono">{text(subject, 120)}</span>'
    if expl.status:
        head += " " + badge(expl.status, expl.provider_status)
    head += "</h4>"
    facts = [f"confidence: {say(expl.confidence)}"]
    if expl.category:
        facts.append(f"category: {say(expl.category)}")
    parts = [head, f'<div class="eo-muted">{text(" · ".join(facts))}</div>']
    parts.append(f"<p>{text(expl.diagnosis, 1000)}</p>")
    rows: list[tuple[str, str]] = [("Likely cause", text(expl.likely_cause, 1000))]
    if expl.provider_text:
        rows.append(
            (
                "Provider text",
                f'<span class="eo-quote">{text(expl.provider_text)}</span> {_AS_DATA}',
            )
        )
    impact = f"charged {say(expl.impact.charged)}, eSIM issued {expl.impact.esim_issued}"
    if expl.impact.note:
        impact += f". {expl.impact.note}"
    rows.append(("Impact", text(impact, 1200)))
    if expl.retry:
        retry = text(say(expl.retry))
        if expl.retry_note:
            retry += f" ({text(expl.retry_note, 1000)})"
        rows.append(("Retry", retry))
    if expl.who_acts:
        rows.append(("Who acts", text(", ".join(say(a) for a in expl.who_acts))))
    if expl.evidence:
        rows.append(
            (
                "Evidence",
                "; ".join(
                    f'{text(e.field)} <span class="eo-mono">{text(e.value)}</span>'
                    for e in expl.evidence
                ),
            )
        )
    parts.append(_facts(rows))
    if expl.next_steps:
        steps = "".join(f"<li>{text(step, 1000)}</li>" for step in expl.next_steps)
        parts.append(f"<b>Next steps</b><ol>{steps}</ol>")
    if expl.references:
        parts.append(
            f'<div class="eo-muted">Sources: {text("; ".join(expl.references), 1500)}</div>'
        )
    if expl.escalation_note:
        parts.append(
            "<details><summary>Escalation note for provider support</summary>"
            f"<pre>{html.escape(_clean_lines(expl.escalation_note))}</pre></details>"
        )
    css = _OUTCOME_CLASS.get(expl.outcome, "eo-stuck")
    return f'<div class="eo-card {css}">{"".join(parts)}</div>'


def _clean_lines(note: str) -> str:
    """Keep the note's line breaks (it is meant to be copied) but clean each line."""
    return "\n".join(clean_provider_text(line, 400) for line in note.splitlines())


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
    return None
