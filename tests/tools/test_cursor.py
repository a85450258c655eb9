"""Cursors: where each provider stands, carried exactly and short, and refused with a reason
when forged, foreign or stale."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from esim_orders.client.base import after
from esim_orders.models import Order, OrderFilter, OrderStatus, Provider
from esim_orders.service.pages import Standing
from esim_orders.tools import cursor
from esim_orders.tools.errors import ToolInputError

ORDER = Order(
    provider=Provider.ZIM,
    id="ordr_GMAVA4ISiqfWSG0ArGOzB",
    status=OrderStatus.COMPLETED,
    created_at=datetime(2026, 5, 12, 14, 39, 23, 149123, tzinfo=UTC),
)
FAILED_ONLY = OrderFilter(statuses=frozenset({OrderStatus.FAILED}))
# A PressOne walk deep into a 100,000-order account and a Zim keyset: the longest usual pair.
STANDINGS = {
    Provider.PRESSONE: Standing(
        {
            "d": "o",
            "r": 99_876,
            "t": 100_000,
            "pp": 100,
            "k": [False, -1_778_596_763_149_123, "pressone:99876"],
            "m": 124,
        },
        done=False,
        total=100_000,
        exact=True,
    ),
    Provider.ZIM: Standing(after(ORDER), done=False, total=100_000, exact=True),
}


def test_a_cursor_carries_each_providers_standing_exactly_and_stays_short():
    token = cursor.encode(FAILED_ONLY, 40, STANDINGS, now=1_000)
    assert cursor.decode(token, FAILED_ONLY, now=2_000) == (40, STANDINGS)
    assert len(token) < 300 < cursor.MAX_CURSOR
    done = {Provider.ZIM: Standing(None, done=True, total=3, exact=False)}
    assert cursor.decode(cursor.encode(FAILED_ONLY, 3, done), FAILED_ONLY) == (3, done)


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
    token = cursor.encode(FAILED_ONLY, 20, STANDINGS, now=1_000)
    with pytest.raises(ToolInputError, match=says) as caught:
        cursor.decode(mangle(token), FAILED_ONLY, now=1_000)
    assert caught.value.field == "cursor"


def test_a_cursor_from_other_filters_is_refused():
    token = cursor.encode(FAILED_ONLY, 20, STANDINGS, now=1_000)
    with pytest.raises(ToolInputError, match="other filters"):
        cursor.decode(token, OrderFilter(), now=1_000)


def test_a_day_old_cursor_has_expired():
    token = cursor.encode(FAILED_ONLY, 20, STANDINGS, now=1_000)
    with pytest.raises(ToolInputError, match="expired"):
        cursor.decode(token, FAILED_ONLY, now=1_000 + cursor.MAX_AGE_SECONDS + 1)
