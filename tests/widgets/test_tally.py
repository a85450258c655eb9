"""The charts from counters fed one order at a time equal the charts from the list."""

from __future__ import annotations

import random

import pytest

from esim_orders.models import OrderStatus
from esim_orders.service.sync import SyncOrderService
from esim_orders.tools.views import OrderSummary
from esim_orders.widgets.charts import failure_causes, status_over_time
from esim_orders.widgets.fetch import fetch_cause_titles
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
