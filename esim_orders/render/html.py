"""Rows as HTML: every value cleaned of control/bidi characters and escaped; no I/O.

A card is the fragment the notebook widgets put in their themed container (`widgets.html`);
classes (`eo-*`) are styled by `widgets.theme`.
"""

from __future__ import annotations

import html

from ..esim_models import EsimAnswer, EsimState
from ..failures.explanation import Explanation
from ..models import Order, OrderStatus
from ..text import clean_provider_text
from .esim import esim_answer_cards, order_with_esims_rows
from .explanation import explanation_rows
from .listing import Cell, ListingLine
from .order import order_card_rows, status_label
from .rows import Aside, Bar, Block, Card, Fact, Head, Line, Note, Part, Sentence, Steps

__all__ = [
    "badge",
    "card_html",
    "cell_html",
    "esim_answer_body",
    "explanation_body",
    "line_cells",
    "order_card_body",
    "status_css_class",
    "text",
]

TEXT_CAP = 500
_TONE_CLASS = {"failed": "eo-trouble", "stuck": "eo-stuck", "ok": "eo-ok"}
_STYLE_CLASS = {"code": "eo-mono", "muted": "eo-muted"}
_CELL_CAPS = {"plan": 120, "price": 40}


def text(value: object, cap: int = TEXT_CAP) -> str:
    """Any value as safe HTML text: cleaned of control/bidi characters, capped, escaped."""
    if value is None:
        return ""
    return html.escape(clean_provider_text(str(value), cap), quote=True)


def status_css_class(status: OrderStatus | str) -> str:
    try:
        return "eo-s-" + OrderStatus(status).value.lower()
    except ValueError:
        return "eo-s-unknown"


def badge(status: OrderStatus | str, provider_status: str | None = None) -> str:
    """A coloured status pill; the provider's own word follows it when it says more, as in
    the text rendering (`PENDING (PENDING_PAYMENT)`), outside the pill so a narrow cell can
    cut it short without hiding the status."""
    return labelled_badge(status, status_label(str(status), provider_status))


def labelled_badge(status: OrderStatus | str, label: str) -> str:
    """`badge` for a status already labelled (`status_label`)."""
    pill = f'<span class="eo-badge {status_css_class(status)}">{text(status, 30)}</span>'
    if label == str(status):
        return pill
    word = label[len(str(status)) :].strip().removeprefix("(").removesuffix(")")
    said = f'<span class="eo-muted">{text(word, 60)}</span>'
    return f'<span title="{text(label, 90)}">{pill} {said}</span>'


def line_cells(line: ListingLine) -> list[str]:
    """A listing line as HTML cells, in `COLUMNS` order; an empty field is an empty cell."""
    return [cell_html(cell) for cell in line.cells]


def cell_html(cell: Cell) -> str:
    value = cell.value
    if cell.kind == "created":
        return text(value.removesuffix(" UTC"))  # the column's header says UTC
    if cell.kind == "status":
        return labelled_badge(cell.status, value)
    if cell.kind == "ref":
        return f'<span class="eo-mono">{text(value, 120)}</span>'
    if cell.kind in ("code", "reason"):
        return f'<span class="eo-mono">{text(value, 60)}</span>' if value else ""
    return text(value, _CELL_CAPS.get(cell.kind, TEXT_CAP))


def order_card_body(order: Order, esims: list[EsimState] | None = None) -> str:
    """The order's card; with `esims`, each eSIM's state and data-left bar under it."""
    if esims:
        return card_html(order_with_esims_rows(order, esims))
    return card_html(order_card_rows(order))


def esim_answer_body(answer: EsimAnswer) -> str:
    cards = [card_html(card) for card in esim_answer_cards(answer)]
    return "".join(cards) or f'<div class="eo-muted">{text(answer.note or "No eSIM.")}</div>'


def explanation_body(expl: Explanation) -> str:
    return card_html(explanation_rows(expl))


def card_html(card: Card) -> str:
    """The card: its head, then its blocks; runs of facts become one definition list."""
    out = [_head(card.head)]
    facts: list[Fact] = []
    for block in card.blocks:
        if isinstance(block, Fact | Line):
            facts += [block] if isinstance(block, Fact) else list(block.facts)
            continue
        out.append(_facts(facts))
        facts = []
        out.append(_block(block))
    out.append(_facts(facts))
    tone = _TONE_CLASS.get(card.tone)
    css = f"eo-card {tone}" if tone else "eo-card"
    return f'<div class="{css}">{"".join(out)}</div>'


def _head(head: Head) -> str:
    subject = text(head.subject, 120)
    if head.title:
        inner = f'{text(head.title, 120)} <span class="eo-muted eo-mono">{subject}</span>'
    else:
        inner = f'<span class="eo-mono">{subject}</span>'
    if head.status:
        inner += " " + badge(head.status, head.provider_status)
    out = f"<h4>{inner}</h4>"
    if head.notes:
        out += f'<div class="eo-muted">{text(" · ".join(head.notes))}</div>'
    return out


def _part(part: Part) -> str:
    """One part of a value; the spaces around it stay (cleaning trims them, and "field"
    then its value would run together: `statusFAILED;failure_reason…`)."""
    css = _STYLE_CLASS.get(part.style)
    inner = f'<span class="{css}">{text(part.text)}</span>' if css else text(part.text)
    before = " " if part.text[:1].isspace() else ""
    after = " " if part.text[-1:].isspace() else ""
    return f"{before}{inner}{after}"


def _value(fact: Fact) -> str:
    value = "".join(_part(p) for p in fact.parts)
    if fact.quoted:
        value = f'"{value}"'
    if fact.quoted or fact.provider_data:
        value = f'<span class="eo-quote">{value}</span>'
    if fact.provider_data:
        value += f' <span class="eo-muted">({text(fact.provider_data)})</span>'
    return value


def _facts(facts: list[Fact]) -> str:
    items = "".join(
        f"<dt>{html.escape(f.label[:1].upper() + f.label[1:])}</dt><dd>{_value(f)}</dd>"
        for f in facts
    )
    return f'<dl class="eo-facts">{items}</dl>' if items else ""


def _block(block: Block) -> str:
    if isinstance(block, Sentence):
        return f"<p>{text(block.text, 1000)}</p>"
    if isinstance(block, Aside):
        return f'<div class="eo-muted">{text(block.text, 1500)}</div>'
    if isinstance(block, Steps):
        items = "".join(f"<li>{text(item, 1000)}</li>" for item in block.items)
        return f"<b>{text(block.label)}</b><ol>{items}</ol>"
    if isinstance(block, Note):
        lines = "\n".join(clean_provider_text(line, 400) for line in block.text.splitlines())
        return (
            f"<details><summary>{text(block.label)}</summary>"
            f"<pre>{html.escape(lines)}</pre></details>"
        )
    if isinstance(block, Bar):
        percent = round(min(max(block.fraction, 0.0), 1.0) * 100)
        return (
            f'<div class="eo-bar-row"><span class="eo-muted">{text(block.label)}</span> '
            f'<span class="eo-bar" role="meter" aria-valuemin="0" aria-valuemax="100" '
            f'aria-valuenow="{percent}"><span style="width:{percent}%"></span></span> '
            f"{text(block.text)}</div>"
        )
    raise TypeError(f"no HTML for {block!r}")
