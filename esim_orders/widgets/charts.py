"""Pure SVG charts of a listing: orders by status over time, and failures by cause.

Plain inline SVG, no plotting library and no JavaScript: it renders the same in JupyterLab,
Voila, VS Code and a saved notebook, and text uses `currentColor` so it follows the theme.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from itertools import pairwise
from typing import Literal

from ..models import OrderStatus
from ..text import clean_provider_text
from ..tools.views import OrderSummary
from .theme import status_rgb

Unit = Literal["day", "week", "month"]
MAX_BARS = 40
MAX_CAUSES = 8
NO_REASON = "No reason given"
#: What a failure reason the catalogue does not know is called, before its code in brackets.
UNDOCUMENTED = "Not documented"
#: A chart starts at its orders, not at a few stragglers long before them: the earliest
#: orders, at most this share of the dated ones, are counted apart when this long a gap
#: without orders follows them.
STRAGGLER_GAP = timedelta(days=28)
STRAGGLER_SHARE = 0.05


@dataclass(frozen=True)
class StatusSeries:
    """Order counts per status for consecutive periods (day, week or month, UTC)."""

    unit: Unit
    periods: tuple[date, ...] = ()
    counts: tuple[Mapping[OrderStatus, int], ...] = ()
    undated: int = 0
    statuses: tuple[OrderStatus, ...] = field(default=())
    #: Stragglers: orders created long before the rest, counted but not drawn.
    earlier: int = 0

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts) + self.undated + self.earlier


def _period_start(day: date, unit: Unit) -> date:
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_period(start: date, unit: Unit) -> date:
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def pick_unit(first: date, last: date) -> Unit:
    """The finest period that keeps the chart at `MAX_BARS` bars or fewer."""
    span = (last - first).days + 1
    if span <= MAX_BARS:
        return "day"
    if span <= MAX_BARS * 7:
        return "week"
    return "month"


def status_over_time(summaries: Iterable[OrderSummary], unit: Unit | None = None) -> StatusSeries:
    """Count orders per period and status, by creation day (UTC); empty periods included."""
    days: Counter[tuple[date, OrderStatus]] = Counter()
    undated = 0
    for s in summaries:
        if s.created_at is None:
            undated += 1
        else:
            days[(s.created_at.astimezone(UTC).date(), s.status)] += 1
    return series_of_days(days, undated, unit)


def series_of_days(
    days: Mapping[tuple[date, OrderStatus], int], undated: int = 0, unit: Unit | None = None
) -> StatusSeries:
    """The series of orders counted per (UTC creation day, status): what a chart needs of
    any number of orders is these counts, a few thousand at most, never the orders."""
    dated = [(day, status) for (day, status), n in days.items() if n]
    if not dated:
        return StatusSeries(unit=unit or "day", undated=undated)
    start_day = _after_stragglers(days)
    earlier = sum(days[key] for key in dated if key[0] < start_day)
    dated = [key for key in dated if key[0] >= start_day]
    first = min(d for d, _ in dated)
    last = max(d for d, _ in dated)
    unit = unit or pick_unit(first, last)
    buckets: dict[date, Counter[OrderStatus]] = {}
    start = _period_start(first, unit)
    while start <= last:
        buckets[start] = Counter()
        start = _next_period(start, unit)
    for day, status in dated:
        buckets[_period_start(day, unit)][status] += days[(day, status)]
    present = {status for _, status in dated}
    return StatusSeries(
        unit=unit,
        periods=tuple(buckets),
        counts=tuple(dict(c) for c in buckets.values()),
        undated=undated,
        statuses=tuple(s for s in OrderStatus if s in present),
        earlier=earlier,
    )


def _after_stragglers(days: Mapping[tuple[date, OrderStatus], int]) -> date:
    """The day the chart starts: the first order's, or the first after a long gap that only
    a few stragglers precede (`STRAGGLER_GAP`, `STRAGGLER_SHARE`)."""
    per_day: Counter[date] = Counter()
    for (day, _), n in days.items():
        per_day[day] += n
    ordered = sorted(d for d, n in per_day.items() if n)
    allowed = sum(per_day.values()) * STRAGGLER_SHARE
    start, before = ordered[0], 0
    for earlier, later in pairwise(ordered):
        before += per_day[earlier]
        if before > allowed:
            break
        if later - earlier >= STRAGGLER_GAP:
            start = later
    return start


def cause_key(summary: OrderSummary) -> tuple[str, str | None]:
    """(provider, failure reason) of a failed order; the provider is the ref's prefix."""
    return summary.ref.partition(":")[0], summary.failure_reason


def failure_causes(
    summaries: Iterable[OrderSummary], titles: Mapping[tuple[str, str], str] | None = None
) -> list[tuple[str, int]]:
    """Failed orders grouped by cause, largest first; `titles` names the documented codes."""
    keys = Counter(cause_key(s) for s in summaries if s.status is OrderStatus.FAILED)
    return rank_causes(keys, titles)


def rank_causes(
    keys: Mapping[tuple[str, str | None], int],
    titles: Mapping[tuple[str, str], str] | None = None,
) -> list[tuple[str, int]]:
    """Failed orders counted per `cause_key`, named and ranked largest first, the tail
    folded into "Other causes"."""
    titles = titles or {}
    counts: Counter[str] = Counter()
    for (provider, reason), n in keys.items():
        if not reason:
            counts[NO_REASON] += n
            continue
        counts[f"{titles.get((provider, reason), UNDOCUMENTED)} ({reason})"] += n
    # Ties by name: the same orders rank the same in whatever order they were read.
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if len(ranked) > MAX_CAUSES:
        rest = sum(n for _, n in ranked[MAX_CAUSES - 1 :])
        ranked = [*ranked[: MAX_CAUSES - 1], ("Other causes", rest)]
    return ranked


# --------------------------------------------------------------------------- SVG


def _esc(value: object, cap: int = 80) -> str:
    return html.escape(clean_provider_text(str(value), cap), quote=True)


def _axis(peak: int, most_lines: int = 5) -> tuple[int, int]:
    """(top, step) of a y axis: a whole step of 1, 2 or 5 times a power of ten, at most
    `most_lines` steps to the top."""
    step = 1
    while math.ceil(peak / step) > most_lines:
        for factor in (2, 2.5, 2):  # 1 → 2 → 5 → 10 → 20 → 50 …
            step = int(step * factor)
            if math.ceil(peak / step) <= most_lines:
                break
    return max(step, math.ceil(peak / step) * step), step


def _label(period: date, unit: Unit) -> str:
    if unit == "month":
        return period.strftime("%b %Y")
    return period.strftime("%b %d")


_UNIT_WORD = {"day": "Day", "week": "Week of", "month": "Month"}


def status_chart_svg(series: StatusSeries, *, width: int = 680, height: int = 260) -> str:
    """Stacked bars: how many orders were created per period, coloured by status."""
    if not series.periods:
        return '<div class="eo-muted">No dated orders to chart.</div>'
    left, right, top, bottom = 44, 10, 34, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    peak, step = _axis(max(sum(c.values()) for c in series.counts))
    n = len(series.periods)
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.72)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Orders by status over time" '
        'font-family="var(--jp-ui-font-family, sans-serif)" font-size="11" fill="currentColor">',
        "<title>Orders by status over time</title>",
    ]
    for value in range(0, peak + 1, step):
        y = top + plot_h - plot_h * value / peak
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="currentColor" stroke-opacity="0.15"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    every = max(1, math.ceil(n / 8))
    for i, (period, counts) in enumerate(zip(series.periods, series.counts, strict=True)):
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h
        tip = f"{_UNIT_WORD[series.unit]} {period.isoformat()}: " + (
            ", ".join(f"{s.value} {counts[s]}" for s in series.statuses if counts.get(s))
            or "no orders"
        )
        parts.append(f"<g><title>{_esc(tip, 300)}</title>")
        for status in series.statuses:
            count = counts.get(status, 0)
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            r, g, b = status_rgb(status)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="rgb({r},{g},{b})"/>'
            )
        parts.append("</g>")
        if i % every == 0:
            cx = left + i * slot + slot / 2
            parts.append(
                f'<text x="{cx:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                f"{_esc(_label(period, series.unit))}</text>"
            )
    x = left
    for status in series.statuses:
        r, g, b = status_rgb(status)
        parts.append(
            f'<rect x="{x}" y="6" width="10" height="10" rx="2" fill="rgb({r},{g},{b})"/>'
            f'<text x="{x + 14}" y="15">{_esc(status.value.capitalize())}</text>'
        )
        x += 24 + 7 * len(status.value)
    parts.append("</svg>")
    return "".join(parts)


def causes_chart_svg(causes: Sequence[tuple[str, int]], *, width: int = 460) -> str:
    """Horizontal bars: failed orders per cause."""
    if not causes:
        return '<div class="eo-muted">No failed orders.</div>'
    label_w, row_h, top = 230, 26, 8
    bar_max = width - label_w - 50
    height = top + row_h * len(causes) + 6
    peak = max(n for _, n in causes)
    r, g, b = status_rgb(OrderStatus.FAILED)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Failed orders by cause" '
        'font-family="var(--jp-ui-font-family, sans-serif)" font-size="11" fill="currentColor">',
        "<title>Failed orders by cause</title>",
    ]
    for i, (cause, count) in enumerate(causes):
        y = top + i * row_h
        w = max(2.0, bar_max * count / peak)
        shown = cause if len(cause) <= 36 else cause[:35] + "…"
        parts.append(
            f"<g><title>{_esc(cause, 200)}: {count}</title>"
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_esc(shown)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" rx="2" '
            f'fill="rgb({r},{g},{b})" fill-opacity="0.85"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{count}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def charts_body(series: StatusSeries, causes: Sequence[tuple[str, int]]) -> str:
    """Both charts side by side (they wrap on a narrow page), with their headings."""
    unit = {"day": "per day", "week": "per week", "month": "per month"}[series.unit]
    undated = (
        f'<div class="eo-muted">{series.undated} order(s) without a creation time are not '
        "shown.</div>"
        if series.undated
        else ""
    )
    if series.earlier:
        orders = "1 order" if series.earlier == 1 else f"{series.earlier} orders"
        since = series.periods[0].strftime("%b %d, %Y")
        undated += (
            f'<div class="eo-muted">{orders} created before {since}, long before the rest, '
            f"{'is' if series.earlier == 1 else 'are'} counted but not drawn.</div>"
        )
    failed = sum(n for _, n in causes)
    return (
        f'<div class="eo-chart"><h4>Orders by status, {unit} (UTC)</h4>'
        f"{status_chart_svg(series)}{undated}</div>"
        f'<div class="eo-chart"><h4>Failed orders by cause ({failed})</h4>'
        f"{causes_chart_svg(causes)}</div>"
    )


def charts_html(
    summaries: Sequence[OrderSummary], titles: Mapping[tuple[str, str], str] | None = None
) -> str:
    """Both charts of these orders as a standalone HTML fragment (e.g. for `IPython.display`)."""
    from .html import view

    return view(charts_body(status_over_time(summaries), failure_causes(summaries, titles)))
