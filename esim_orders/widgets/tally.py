"""What the charts need of every matching order, counted one order at a time.

The charts of an account of hundreds of thousands of orders need a few thousand counters
(orders per UTC day and status, failed orders per cause), not the orders: a `ChartTally`
is fed each summary as it is read and dropped, so reading a whole account for its charts
costs what one page costs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date

from ..models import OrderStatus
from ..tools.views import OrderSummary
from .charts import StatusSeries, Unit, cause_key, rank_causes, series_of_days

__all__ = ["ChartTally"]


class ChartTally:
    """Counters of the orders added so far: `series()` and `causes()` draw from them exactly
    what `status_over_time` and `failure_causes` draw from the same orders in a list."""

    def __init__(self) -> None:
        self.count = 0
        self.undated = 0
        self.days: Counter[tuple[date, OrderStatus]] = Counter()
        #: Failed orders per `cause_key`: (provider, failure reason or None).
        self.failures: Counter[tuple[str, str | None]] = Counter()

    @classmethod
    def of(cls, summaries: Iterable[OrderSummary]) -> ChartTally:
        tally = cls()
        for summary in summaries:
            tally.add(summary)
        return tally

    def add(self, summary: OrderSummary) -> None:
        self.count += 1
        if summary.created_at is None:
            self.undated += 1
        else:
            self.days[(summary.created_at.astimezone(UTC).date(), summary.status)] += 1
        if summary.status is OrderStatus.FAILED:
            self.failures[cause_key(summary)] += 1

    def series(self, unit: Unit | None = None) -> StatusSeries:
        return series_of_days(self.days, self.undated, unit)

    def causes(self, titles: Mapping[tuple[str, str], str] | None = None) -> list[tuple[str, int]]:
        return rank_causes(self.failures, titles)
