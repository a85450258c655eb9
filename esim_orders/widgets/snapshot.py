"""The explorer as static HTML: its heading, and what a saved notebook shows without a kernel."""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..models import Provider
from . import html as render
from .state import ExplorerState

__all__ = ["header_html", "source_line", "static_html"]


def source_line(providers: Sequence[Provider], is_sandbox: bool) -> str:
    """Where the orders come from, in words: demo data, or live orders of named providers.
    The page's one statement of its data source (the demo notebook makes none of its own),
    so it says what the service really reads."""
    names = " and ".join(p.display_name for p in providers)
    if is_sandbox:
        return (
            f"Sandbox data: {names} demo orders from the embedded sandbox; no real customer "
            "or order is shown"
        )
    return f"Live orders from {names}"


def header_html(providers: Sequence[Provider], is_sandbox: bool, title: str | None) -> str:
    """The title (if any) over where the orders come from."""
    heading = f"<h3>{html.escape(title)}</h3>" if title else ""
    source = html.escape(source_line(providers, is_sandbox))
    kind = "eo-source-sandbox" if is_sandbox else "eo-source-live"
    return render.view(f'{heading}<div class="eo-source {kind}">{source}</div>', with_style=False)


def static_html(state: ExplorerState, header: str, charts: str = "", *, tiles: str = "") -> str:
    """The view as it stands, as plain HTML: filters, the KPI tiles and the page (or its
    error) as drawn, the selected order's card and explanation, and the charts' HTML."""
    plain = {"with_style": False}
    filters = render.text(state.query.describe())
    parts = [header, f'<div class="eo-muted">Filters: {filters}</div>', tiles]
    if state.error:
        parts.append(render.error_html(state.error, **plain))
    elif state.page is not None:
        parts.append(
            render.page_html(state.page, first=state.first_row, selected=state.selected, **plain)
        )
    else:
        parts.append(render.notice_html("Loading orders…", **plain))
    if state.selected_order is not None:
        parts.append(render.order_card_html(state.selected_order, **plain))
    if state.explanation is not None and state.explanation.something_wrong:
        parts.append(render.explanation_html(state.explanation, **plain))
    if charts:
        parts.append(charts)
    return render.view("".join(parts))
