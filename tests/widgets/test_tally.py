"""The charts from counters fed one order at a time equal the charts from the list."""

from __future__ import annotations

import random

import pytest

from esim_orders.models import OrderStatus
from esim_orders.service.sync import SyncOrderService
from esim_orders.tools.views import OrderSummary
from esim_orders.widgets import fetch
from esim_orders.widgets.charts import failure_causes, status_over_time
from esim_orders.widgets.fetch import fetch_cause_titles
from esim_orders.widgets.jobs import Superseded
from esim_orders.widgets.query import OrderQuery
from esim_orders.widgets.tally import ChartTally


@pytest.mark.parametrize("unit", [None, "day", "week", "month"])
def test_the_tally_gives_the_series_and_causes_of_the_list(
    service: SyncOrderService, unit: str | None
) -> None:
    """Over the sandbox's orders, in the listing's order and shuffled (a visit's order is
    none in particular): the same series, the same causes with the catalogue's titles."""
    summaries = [OrderSummary.of(o) for o in service.list_orders().orders]
    failed = [s for s in summaries if s.status is OrderStatus.FAILED]
    assert failed and any(s.created_at is not None for s in summaries)
    titles = fetch_cause_titles(
        service, {(s.ref.partition(":")[0], s.failure_reason) for s in failed}
    )
    assert titles
    shuffled = random.Random(11).sample(summaries, len(summaries))
    for order in (summaries, shuffled):
        tally = ChartTally.of(order)
        assert tally.count == len(summaries)
        assert tally.series(unit) == status_over_time(summaries, unit)  # type: ignore[arg-type]
        assert tally.causes(titles) == failure_causes(summaries, titles)
        assert tally.causes() == failure_causes(summaries)


def test_an_undated_order_is_counted_apart() -> None:
    undated = OrderSummary(ref="zim:ordr_1", status=OrderStatus.FAILED, type="ONE_OFF")
    tally = ChartTally.of([undated])
    assert tally.series() == status_over_time([undated]) and tally.series().undated == 1
    assert tally.causes() == [("No reason given", 1)]


def test_the_charts_read_reports_progress_and_stops_once_superseded(
    service: SyncOrderService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progress every `PROGRESS_EVERY` orders against the total the caller knows, the last
    report at the end; a reader that moved on (`Superseded` from the report) stops the walk."""
    monkeypatch.setattr(fetch, "PROGRESS_EVERY", 10)
    total = len(service.list_orders().orders)
    heard: list[tuple[int, int | None]] = []
    tallied = fetch.fetch_tally(
        service, OrderQuery(), lambda done, of: heard.append((done, of)), total
    )
    assert tallied.tally.count == total and tallied.note is None
    assert heard[-1] == (total, total) and heard[0] == (10, total)
    assert [done for done, _ in heard[:-1]] == list(range(10, total + 1, 10))

    def moved_on(done: int, of: int | None) -> None:
        if done >= 30:
            raise Superseded

    seen: list[OrderSummary] = []
    with pytest.raises(Superseded):
        fetch.visit_matching(service, OrderQuery(), seen.append, moved_on)
    assert len(seen) == 30
