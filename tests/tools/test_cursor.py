"""Cursors: short, exact, and refused with a reason when forged, foreign or stale."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from esim_orders.models import Order, OrderFilter, OrderStatus, Provider, newest_first_key
from esim_orders.tools import cursor
from esim_orders.tools.errors import ToolInputError

ORDER = Order(
    provider=Provider.ZIM,
    id="ordr_GMAVA4ISiqfWSG0ArGOzB",
    status=OrderStatus.COMPLETED,
    created_at=datetime(2026, 5, 12, 14, 39, 23, 149123, tzinfo=UTC),
)
FAILED_ONLY = OrderFilter(statuses=frozenset({OrderStatus.FAILED}))


def test_a_cursor_carries_the_exact_sort_key_and_stays_short():
    token = cursor.encode(FAILED_ONLY, ORDER, now=1_000)
    assert cursor.decode(token, FAILED_ONLY, now=2_000) == newest_first_key(ORDER)
    assert len(token) < 90


@pytest.mark.parametrize(
    ("mangle", "says"),
    [
        (lambda t: t[:-3] + ("A" if t[-3] != "A" else "B") + t[-2:], "damaged or edited"),
        (lambda t: t[:10], "not a cursor"),
        (lambda t: "%%%", "not a cursor"),
        (lambda t: "", "not a cursor"),
    ],
)
def test_forged_cursors_are_refused_naming_the_field(mangle, says):
    token = cursor.encode(FAILED_ONLY, ORDER, now=1_000)
    with pytest.raises(ToolInputError, match=says) as caught:
        cursor.decode(mangle(token), FAILED_ONLY, now=1_000)
    assert caught.value.field == "cursor"


def test_a_cursor_from_other_filters_is_refused():
    token = cursor.encode(FAILED_ONLY, ORDER, now=1_000)
    with pytest.raises(ToolInputError, match="other filters"):
        cursor.decode(token, OrderFilter(), now=1_000)


def test_a_day_old_cursor_has_expired():
    token = cursor.encode(FAILED_ONLY, ORDER, now=1_000)
    with pytest.raises(ToolInputError, match="expired"):
        cursor.decode(token, FAILED_ONLY, now=1_000 + cursor.MAX_AGE_SECONDS + 1)
