"""KPI tiles over the explorer's table: orders today, failed, stuck now, per provider.

Counted by `visit_orders` on the one reading of every matching order the charts make
(`fetch.fetch_tally`), so the tiles cost no request of their own and hold no order.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from ..tools.visit_orders import ProviderCounts
from . import html as render

__all__ = ["TILES", "KpiTiles", "kpi_tiles_html"]

#: (field of ProviderCounts, label, css modifier) of each tile, left to right.
TILES: tuple[tuple[str, str, str], ...] = (
    ("today", "Orders today (UTC)", "today"),
    ("failed", "Failed", "failed"),
    ("stuck", "Stuck now", "stuck"),
)


def kpi_tiles_html(counts: Sequence[ProviderCounts], *, filtered: bool) -> str:
    """The tiles as HTML: each a total over the providers, then the count of each."""
    orders = sum(c.orders for c in counts)
    tiles = []
    for field, label, css in TILES:
        total = sum(getattr(c, field) for c in counts)
        split = " · ".join(f"{c.provider.display_name} {getattr(c, field)}" for c in counts)
        tiles.append(
            f'<div class="eo-kpi eo-kpi-{css}" data-kpi="{field}">'
            f'<div class="eo-kpi-label">{render.text(label)}</div>'
            f'<div class="eo-kpi-value">{total:,}</div>'
            f'<div class="eo-kpi-split eo-muted">{render.text(split)}</div></div>'
        )
    scope = (
        f"Of {orders:,} orders matching the filters" if filtered else f"Of all {orders:,} orders"
    )
    caption = f'<div class="eo-kpi-scope eo-muted">{scope}</div>'
    return f'<div class="eo-kpis">{"".join(tiles)}</div>{caption}'


class KpiTiles(widgets.HTML):
    """The tiles as a widget: a placeholder while the orders are read, then the counts."""

    def __init__(self) -> None:
        super().__init__()
        self.add_class("eo-kpi-tiles")
        self.loading()

    def loading(self) -> None:
        self.value = render.view(
            '<div class="eo-kpis">'
            + "".join(
                f'<div class="eo-kpi eo-kpi-{css} eo-kpi-pending">'
                f'<div class="eo-kpi-label">{render.text(label)}</div>'
                '<div class="eo-kpi-value eo-muted">…</div></div>'
                for _, label, css in TILES
            )
            + "</div>",
            with_style=False,
        )

    def show(self, counts: Sequence[ProviderCounts], *, filtered: bool) -> None:
        self.value = render.view(kpi_tiles_html(counts, filtered=filtered), with_style=False)

    def clear(self) -> None:
        self.value = ""
