"""list_orders and get_order through an in-memory MCP client, over the pinned sandbox."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from mcp import Client

from esim_orders.models import OrderFilter
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

from ..helpers import ONE_ATTEMPT, text_of
from ..helpers.tools import Connect, ServerMaker, all_refs, call, output_schemas


def assert_no_nulls(value: Any) -> None:
    """Structured content leaves absent values out rather than sending null."""
    assert value is not None
    if isinstance(value, dict):
        for item in value.values():
            assert_no_nulls(item)
    elif isinstance(value, list):
        for item in value:
            assert_no_nulls(item)


async def test_list_orders_returns_a_page_newest_first_with_text_and_structured_content(
    connect: Connect,
) -> None:
    async with connect() as client:
        result = await call(client, "list_orders", limit=5)
        page = result.structured_content
        assert page is not None
        assert page["returned"] == 5
        assert page["total"] == 120
        assert page["remaining"] == 115
        assert page["provider_errors"] == []
        stamps = [order["created_at"] for order in page["orders"]]
        assert stamps == sorted(stamps, reverse=True)
        text = text_of(result)
        assert text.startswith("5 of 120 matching orders, newest first:")
        for order in page["orders"]:
            assert order["ref"] in text


async def test_structured_content_validates_against_the_output_schema(connect: Connect) -> None:
    async with connect() as client:
        schemas = await output_schemas(client)
        page = (await call(client, "list_orders", limit=50)).structured_content
        jsonschema.validate(page, schemas["list_orders"])
        assert_no_nulls(page)
        for ref in [order["ref"] for order in page["orders"]][:10]:
            order = (await call(client, "get_order", ref=ref)).structured_content
            jsonschema.validate(order, schemas["get_order"])
            assert_no_nulls(order)
            assert order["ref"] == ref


async def test_text_is_one_line_per_order_without_placeholders(connect: Connect) -> None:
    async with connect() as client:
        result = await call(client, "list_orders", limit=20)
        lines = text_of(result).splitlines()
        # A header, one line per order, the line telling how to get the next page.
        assert len(lines) == 1 + 20 + 1
        assert lines[-1].startswith("100 more: call list_orders again with cursor=")
        for line in lines[1:-1]:
            assert line.split(" | ")[0].startswith(("pressone:", "zim:"))
        for text in (text_of(result), json.dumps(result.structured_content)):
            assert "None" not in text
            assert "null" not in text


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"status": ["FAILED"]}, lambda o: o["status"] == "FAILED"),
        ({"status": ["PENDING", "PROCESSING"]}, lambda o: o["status"] in ("PENDING", "PROCESSING")),
        ({"provider": "zim"}, lambda o: o["ref"].startswith("zim:")),
        ({"provider": "pressone"}, lambda o: o["ref"].startswith("pressone:")),
        ({"type": "TOP_UP"}, lambda o: o["type"] == "TOP_UP"),
        (
            {"created_after": "2026-11-01", "created_before": "2026-11-20"},
            lambda o: "2026-11-01" <= o["created_at"][:10] < "2026-11-20",
        ),
    ],
)
async def test_filters_keep_only_matching_orders(
    connect: Connect, filters: dict[str, Any], check: Any
) -> None:
    async with connect() as client:
        page = (await call(client, "list_orders", limit=100, **filters)).structured_content
        assert page is not None
        assert page["orders"], f"the sandbox has orders for {filters}"
        assert all(check(order) for order in page["orders"])
        assert page["total"] < 120


async def test_iccid_code_and_text_filters_find_a_known_pressone_order(connect: Connect) -> None:
    async with connect() as client:
        ref = (await all_refs(client, provider="pressone"))[0]
        order = (await call(client, "get_order", ref=ref)).structured_content
        assert order is not None
        iccid = order["esims"][0]["iccid"]
        by_iccid = await all_refs(client, iccid=iccid[-8:])
        by_code = await all_refs(client, code=order["code"])
        by_text = await all_refs(client, text=order["description"].split()[-1])
        assert by_iccid == [ref]
        assert by_code == [ref]
        assert ref in by_text


async def test_pages_concatenate_to_the_full_newest_first_list(
    connect: Connect, sandbox_app: Any
) -> None:
    async with connect() as client:
        async with open_service(
            Settings.from_env({}), sandbox_app=sandbox_app, policy=ONE_ATTEMPT
        ) as svc:
            expected = [order.ref for order in (await svc.list_orders(OrderFilter())).orders]
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            arguments: dict[str, Any] = {"limit": 7} | ({"cursor": cursor} if cursor else {})
            page = (await call(client, "list_orders", **arguments)).structured_content
            assert page is not None
            pages += 1
            seen += [order["ref"] for order in page["orders"]]
            assert page["remaining"] == len(expected) - len(seen)
            cursor = page.get("next_cursor")
            if cursor is None:
                break
        assert pages == -(-len(expected) // 7)
        assert seen == expected
        assert len(set(seen)) == len(seen)


async def test_the_last_page_has_no_cursor_and_says_nothing_about_more(connect: Connect) -> None:
    async with connect() as client:
        first = (await call(client, "list_orders", status=["CANCELLED"])).structured_content
        assert first is not None
        assert first["returned"] == first["total"]
        assert "next_cursor" not in first
        assert first["remaining"] == 0
        text = text_of(await call(client, "list_orders", status=["CANCELLED"]))
        assert "cursor=" not in text


async def test_no_match_is_an_empty_page_not_an_error(connect: Connect) -> None:
    async with connect() as client:
        result = await call(client, "list_orders", code="no-such-code")
        assert result.structured_content == {
            "orders": [],
            "returned": 0,
            "total": 0,
            "total_exact": True,
            "remaining": 0,
            "provider_errors": [],
        }
        assert "(no orders match)" in text_of(result)


async def test_get_order_shows_a_failed_order_with_its_reason(connect: Connect) -> None:
    async with connect() as client:
        failed = (
            await call(client, "list_orders", status=["FAILED"], limit=100)
        ).structured_content
        assert failed is not None
        with_reason = [order for order in failed["orders"] if order.get("failure_reason")]
        ref = with_reason[0]["ref"]
        result = await call(client, "get_order", ref=ref)
        order = result.structured_content
        assert order is not None
        assert order["status"] == "FAILED"
        assert order["failure"]["reason_code"] == with_reason[0]["failure_reason"]
        card = text_of(result)
        assert card.startswith(f"Order {ref}: FAILED")
        assert "Failure reason (provider data)" in card


async def test_get_order_shows_a_completed_order_in_full(connect: Connect) -> None:
    async with connect() as client:
        done = (await call(client, "list_orders", status=["COMPLETED"], limit=1)).structured_content
        assert done is not None
        ref = done["orders"][0]["ref"]
        result = await call(client, "get_order", ref=ref)
        order = result.structured_content
        assert order is not None
        assert order["ref"] == ref
        assert order["status"] == "COMPLETED"
        assert order["price"]["formatted"]
        assert order["plan"]["name"]
        assert "raw" not in order
        assert text_of(result).startswith(f"Order {ref}: COMPLETED")


async def test_a_bare_provider_id_is_accepted_as_a_ref(connect: Connect) -> None:
    async with connect() as client:
        ref = (await all_refs(client, provider="pressone"))[0]
        order = (await call(client, "get_order", ref=ref.split(":")[1])).structured_content
        assert order is not None
        assert order["ref"] == ref


@pytest.mark.parametrize("personal", [False, True])
async def test_personal_data_only_when_the_environment_allows_it(
    make_server: ServerMaker, personal: bool
) -> None:
    env = {"ESIM_ORDERS_PERSONAL_DATA": "1"} if personal else {}
    async with Client(make_server(env)) as client:
        ref = (await all_refs(client, provider="pressone"))[0]
        result = await call(client, "get_order", ref=ref)
    customer = (result.structured_content or {})["customer"]
    assert customer["id"]
    assert ("email" in customer) is personal
    assert ("name" in customer) is personal
    assert ("@" in text_of(result)) is personal


#: How every answer writes a time: UTC, to the millisecond, with a Z.
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _times(value: Any) -> list[str]:
    """Every value of a key ending in `_at`, anywhere in a structured answer."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k.endswith("_at") and isinstance(v, str)]
        return found + [t for v in value.values() for t in _times(v)]
    if isinstance(value, list):
        return [t for item in value for t in _times(item)]
    return []


async def test_every_answer_writes_times_at_one_precision(connect: Connect) -> None:
    """Zim sends milliseconds and PressOne whole seconds; answers write both alike."""
    async with connect() as client:
        page = (await call(client, "list_orders", limit=100)).structured_content
        refs = [o["ref"] for o in page["orders"]]
        answers = [page]
        for prefix in ("zim:", "pressone:"):
            ref = next(r for r in refs if r.startswith(prefix))
            answers.append((await call(client, "get_order", ref=ref)).structured_content)
            answers.append((await call(client, "explain_failure", ref=ref)).structured_content)
    times = [t for answer in answers for t in _times(answer)]
    assert len(times) > 100
    assert [t for t in times if not TIMESTAMP.fullmatch(t)] == []
