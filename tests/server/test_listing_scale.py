"""list_orders on 100,000 orders a provider: page 1 and the page after it, through MCP, are the
newest matching orders with no repeat and no gap, against the sandbox's own data, and reading
them takes a few PressOne pages, not the account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx2
import pytest
from mcp import Client
from starlette.applications import Starlette

from esim_orders.client.transport import RetryPolicy

from ..helpers import LARGE, NOW, large_sandbox_app, state
from ..helpers.tools import ServerMaker, call
from ..helpers.traffic import Watched

ORDERS = LARGE
PAGE = 20
#: PressOne list requests two pages of 20 may take, however they are filtered: generous (the
#: local `type` filter keeps about a fifth of PressOne's orders), far below the account's 1,000.
PAGE_BUDGET = 10
#: A window well inside the generated ages (30 s to 120 days), away from page 1's orders.
AFTER, BEFORE = (NOW - timedelta(days=60)).date(), (NOW - timedelta(days=45)).date()
#: The few wire values the filters below need, as each provider spells them.
FAILED = {"pressone": "failed", "zim": "FAILED"}
TOP_UP = {"pressone": "topup", "zim": "TOP_UP"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: One try, with time to stream Zim's whole 100,000-order account (123 MB) on a slow machine.
WHOLE_ZIM_ACCOUNT = RetryPolicy(max_attempts=1, deadline=120)


@dataclass(frozen=True)
class Row:
    """What the ground truth needs of a generated order."""

    ref: str
    created_us: int  # since the epoch, exact: PressOne counts seconds, Zim milliseconds
    provider: str
    status: str
    type: str

    @property
    def created_at(self) -> datetime:
        return EPOCH + timedelta(microseconds=self.created_us)

    @property
    def key(self) -> tuple[int, str]:
        # newest first, ties by ref: the order every listing promises
        return (-self.created_us, self.ref)


@pytest.fixture(name="sandbox_app", scope="module")
def big_sandbox_app() -> Starlette:
    """One sandbox of 100,000 orders a provider for the module (a few seconds to generate)."""
    return large_sandbox_app()


@pytest.fixture(scope="module")
def rows(sandbox_app: Starlette) -> list[Row]:
    """Every generated order of both providers, newest first."""
    data = state(sandbox_app).data
    found = [
        Row(f"pressone:{o.id}", o.created * 1_000_000, "pressone", o.status, o.type)
        for o in data.pressone.orders
    ] + [Row(f"zim:{o.id}", o.created_ms * 1000, "zim", o.status, o.type) for o in data.zim.orders]
    found.sort(key=lambda row: row.key)
    assert len(found) >= 2 * ORDERS
    return found


class Budgeted(Watched):
    """The sandbox, refusing PressOne list requests past the budget: a listing that reads the
    account fails at once instead of after reading 100,000 orders."""

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/pressone/customer/v2/orders" and self.pages() >= PAGE_BUDGET:
            self.requests["refused"] += 1
            raise httpx2.ConnectError("PressOne page budget spent", request=request)
        return await super().handle_async_request(request)


def _day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


FILTERS: dict[str, tuple[dict[str, Any], Any]] = {
    "no filter": ({}, lambda row: True),
    "status, filtered by PressOne": (
        {"status": ["FAILED"]},
        lambda row: row.status == FAILED[row.provider],
    ),
    "date range, filtered by PressOne": (
        {"created_after": AFTER.isoformat(), "created_before": BEFORE.isoformat()},
        lambda row: _day(AFTER) <= row.created_at < _day(BEFORE),
    ),
    "type, filtered locally for PressOne": (
        {"type": "TOP_UP"},
        lambda row: row.type == TOP_UP[row.provider],
    ),
}


#: PressOne's list order is undocumented: the client must read an oldest-first list from
#: its last page backwards. The knob is read per request, so the one app serves both. Those
#: cases ask PressOne alone: Zim's part is the same as in the newest-first cases, and each
#: reading of its 123 MB account takes seconds.
CASES = [
    *((name, "newest-first") for name in FILTERS),
    ("no filter", "oldest-first"),
    ("date range, filtered by PressOne", "oldest-first"),
]
PRESSONE_ALONE = {"provider": "pressone"}


@pytest.mark.parametrize(("name", "list_order"), CASES)
async def test_page_one_and_the_next_are_the_newest_matching_orders(
    name: str,
    list_order: str,
    make_server: ServerMaker,
    sandbox_app: Starlette,
    rows: list[Row],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(state(sandbox_app).config, "pressone_list_order", list_order)
    arguments, wanted = FILTERS[name]
    if list_order == "oldest-first":
        arguments = {**arguments, **PRESSONE_ALONE}
    truth = [
        row.ref
        for row in rows
        if wanted(row) and row.provider in arguments.get("provider", row.provider)
    ]
    assert len(truth) > 2 * PAGE, "too few matches to prove paging"
    watched = Budgeted(sandbox_app)
    async with Client(make_server(transport=watched, policy=WHOLE_ZIM_ACCOUNT)) as client:
        first = (await call(client, "list_orders", limit=PAGE, **arguments)).structured_content
        assert not watched.requests["refused"], f"page 1 read over {PAGE_BUDGET} PressOne pages"
        assert first is not None and first["provider_errors"] == []
        assert [o["ref"] for o in first["orders"]] == truth[:PAGE]
        cursor = first["next_cursor"]
        second = (
            await call(client, "list_orders", limit=PAGE, cursor=cursor, **arguments)
        ).structured_content
        assert not watched.requests["refused"], f"two pages read over {PAGE_BUDGET} PressOne pages"
        assert second is not None and second["provider_errors"] == []
        assert [o["ref"] for o in second["orders"]] == truth[PAGE : 2 * PAGE]
