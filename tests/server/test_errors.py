"""Every way a tool call fails: the sentence a model reads, and what the server logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from mcp import Client
from mcp_types import CallToolResult, TextContent

from esim_orders.models import Provider
from esim_orders.providers.pressone import PressOneSettings
from esim_orders.providers.zim import ZimSettings
from esim_orders.sandbox import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    in_process_transport,
)
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import SANDBOX_ORIGIN
from esim_orders.settings import Settings

from ..helpers import sandbox_app
from ..helpers.tools import Connect, ServerMaker

WRONG_SECRET = "not-the-sandbox-secret-4711"


async def failure(client: Client, tool: str, **arguments: Any) -> str:
    result: CallToolResult = await client.call_tool(tool, arguments)
    assert result.is_error
    assert result.structured_content is None
    [block] = result.content
    assert isinstance(block, TextContent)
    return block.text


async def test_unknown_ref_suggests_list_orders(connect: Connect) -> None:
    async with connect() as client:
        text = await failure(client, "get_order", ref="pressone:99999999")
    assert text == "No order pressone:99999999. Use list_orders to find order refs."


SUGGEST_LIST_ORDERS = "Use list_orders to find order refs."


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        # Refused by the argument schema, before the tool runs: the field is named.
        (
            "pressone 9666",
            "Invalid arguments for get_order: ref: may hold only letters, digits, ':', '_' "
            "and '-' (refs look like pressone:9666 or zim:ordr_…).",
        ),
        ("", "Invalid arguments for get_order: ref: is empty."),
        # Well-formed but not a ref the tool can place: named, and list_orders suggested.
        (
            "acme:9666",
            "unknown provider 'acme' in ref 'acme:9666' (refs look like pressone:9666 or "
            f"zim:ordr_…). {SUGGEST_LIST_ORDERS}",
        ),
        (
            "9666abc",
            "cannot tell the provider of '9666abc': use a ref such as pressone:9666 or "
            f"zim:ordr_…. {SUGGEST_LIST_ORDERS}",
        ),
    ],
)
async def test_a_malformed_ref_is_named_and_list_orders_suggested(
    connect: Connect, ref: str, expected: str
) -> None:
    async with connect() as client:
        text = await failure(client, "get_order", ref=ref)
    assert text == expected


async def test_a_missing_ref_names_the_field(connect: Connect) -> None:
    async with connect() as client:
        text = await failure(client, "get_order")
    assert text == "Invalid arguments for get_order: ref: Field required."


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"limit": 0}, "limit: Input should be greater than or equal to 1"),
        ({"limit": 101}, "limit: Input should be less than or equal to 100"),
        ({"limit": "many"}, "limit: Input should be a valid integer"),
        ({"status": ["DONE"]}, "status[0]: Input should be 'PENDING', 'PROCESSING'"),
        ({"status": []}, "status: List should have at least 1 item"),
        ({"provider": "acme"}, "provider: Input should be 'pressone' or 'zim'"),
        ({"type": "ONCE"}, "type: Input should be 'ONE_OFF'"),
        ({"created_after": "last week"}, "created_after: Input should be a valid date"),
        ({"iccid": "89ab"}, "iccid: must be digits only"),
    ],
)
async def test_bad_arguments_name_the_field(
    connect: Connect, arguments: dict[str, Any], expected: str
) -> None:
    async with connect() as client:
        text = await failure(client, "list_orders", **arguments)
    assert text.startswith("Invalid arguments for list_orders: ")
    assert expected in text
    assert "pydantic" not in text
    assert "Traceback" not in text


async def test_plain_intent_is_accepted_one_status_as_a_string_and_values_in_any_case(
    connect: Connect,
) -> None:
    async with connect() as client:
        pages = [
            (await client.call_tool("list_orders", arguments)).structured_content
            for arguments in (
                {"status": ["FAILED"], "provider": "zim", "type": "ONE_OFF"},
                {"status": "FAILED", "provider": "zim", "type": "ONE_OFF"},
                {"status": ["failed"], "provider": "Zim", "type": "one_off"},
                {"status": "Failed", "provider": "ZIM", "type": "One_Off"},
            )
        ]
    assert pages[0] is not None and pages[0]["orders"]
    assert all(page == pages[0] for page in pages)


async def test_an_argument_the_tool_does_not_take_is_refused_by_name(connect: Connect) -> None:
    async with connect() as client:
        text = await failure(client, "list_orders", statuses=["FAILED"], country="ZA")
    assert text.startswith("Invalid arguments for list_orders: ")
    assert "statuses: is not an argument of this tool" in text
    assert "country: is not an argument of this tool" in text
    assert "list_orders takes provider, status, " in text and "destination" in text


async def test_crossed_dates_name_the_field(connect: Connect) -> None:
    async with connect() as client:
        text = await failure(
            client, "list_orders", created_after="2026-11-02", created_before="2026-11-01"
        )
    assert text == "created_before: must be a later day than created_after"


async def test_a_forged_cursor_is_refused_and_names_the_field(connect: Connect) -> None:
    async with connect() as client:
        page = await client.call_tool("list_orders", {"limit": 5})
        cursor = (page.structured_content or {})["next_cursor"]
        edited = cursor[:20] + ("A" if cursor[20] != "A" else "B") + cursor[21:]
        for forged in ("not-a-cursor", edited):
            text = await failure(client, "list_orders", limit=5, cursor=forged)
            assert text.startswith("cursor: it is not a cursor from list_orders")
            assert text.endswith("Omit cursor to start from the first page.")


async def test_a_cursor_from_other_filters_is_refused(connect: Connect) -> None:
    async with connect() as client:
        page = await client.call_tool("list_orders", {"limit": 2, "status": ["COMPLETED"]})
        cursor = (page.structured_content or {})["next_cursor"]
        text = await failure(client, "list_orders", limit=2, status=["FAILED"], cursor=cursor)
    assert text.startswith("cursor: it belongs to a listing with other filters")


async def test_an_unknown_tool_names_the_tools_there_are(connect: Connect) -> None:
    async with connect() as client:
        text = await failure(client, "delete_order", ref="pressone:1")
    tools = "list_orders, get_order, explain_failure and get_esim"
    assert text == f"Unknown tool 'delete_order'; this server has {tools}."


def providers_on_sandbox(pressone_secret: str, zim_secret: str) -> Settings:
    """Both providers configured as real ones, pointed at the in-process sandbox."""
    return Settings(
        accounts={
            Provider.PRESSONE: PressOneSettings(
                SANDBOX_ORIGIN + "/pressone", "someone", pressone_secret
            ),
            Provider.ZIM: ZimSettings(
                base_url=SANDBOX_ORIGIN + "/zim",
                token_url=SANDBOX_ORIGIN + "/zim/oauth2/token",
                client_id="someone" if zim_secret == WRONG_SECRET else SANDBOX_CLIENT_ID,
                client_secret=zim_secret,
            ),
        }
    )


async def test_rejected_credentials_name_provider_and_variables_never_values(
    make_server: ServerMaker, sandbox_app: Any
) -> None:
    settings = providers_on_sandbox(WRONG_SECRET, WRONG_SECRET)
    server = make_server(settings=settings, transport=in_process_transport(sandbox_app))
    async with Client(server) as client:
        listing = await failure(client, "list_orders", provider="pressone")
        order = await failure(client, "get_order", ref="zim:ordr_GMAVA4ISiqfWSG0ArGOzB")
    assert listing.startswith("PressOne: credentials rejected")
    assert "PRESSONE_CLIENT_ID and PRESSONE_CLIENT_SECRET" in listing
    assert order.startswith("Zim: credentials rejected")
    assert "ZIM_CLIENT_ID" in order
    for text in (listing, order):
        assert WRONG_SECRET not in text
        assert "someone" not in text


async def test_a_wrong_path_in_the_base_url_points_at_the_setting(
    make_server: ServerMaker, sandbox_app: Any
) -> None:
    settings = Settings(
        accounts={
            # The token endpoint is under the base URL: it is not found either.
            Provider.PRESSONE: PressOneSettings(
                SANDBOX_ORIGIN + "/pressone/api", SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
            ),
            # A token URL of its own that is right: the order list is what is not found.
            Provider.ZIM: ZimSettings(
                base_url=SANDBOX_ORIGIN + "/zim/v1",
                token_url=SANDBOX_ORIGIN + "/zim/oauth2/token",
                client_id=SANDBOX_CLIENT_ID,
                client_secret=SANDBOX_CLIENT_SECRET,
            ),
        }
    )
    server = make_server(settings=settings, transport=in_process_transport(sandbox_app))
    async with Client(server) as client:
        pressone = await failure(client, "list_orders", provider="pressone")
        zim = await failure(client, "list_orders", provider="zim")
        zim_order = await failure(client, "get_order", ref="zim:ordr_GMAVA4ISiqfWSG0ArGOzB")
    assert pressone == (
        "PressOne has no token endpoint at /pressone/api/customer/v2/token (Not Found): "
        "check PRESSONE_BASE_URL."
    )
    assert zim.startswith("Zim has no order list at /zim/v1/orders (")
    assert zim.endswith("): check ZIM_BASE_URL or ZIM_TOKEN_URL.")
    assert zim_order == zim
    for text in (pressone, zim):
        assert "rejected the request" not in text and "retry" not in text


async def test_one_provider_failing_leaves_the_others_orders_and_says_so(
    make_server: ServerMaker, sandbox_app: Any
) -> None:
    settings = providers_on_sandbox(WRONG_SECRET, SANDBOX_CLIENT_SECRET)
    server = make_server(settings=settings, transport=in_process_transport(sandbox_app))
    async with Client(server) as client:
        result = await client.call_tool("list_orders", {"limit": 3})
    assert not result.is_error
    page = result.structured_content or {}
    assert page["orders"]
    assert all(order["ref"].startswith("zim:") for order in page["orders"])
    assert "total" not in page
    [issue] = page["provider_errors"]
    assert issue["provider"] == "pressone"
    assert issue["error"].startswith("PressOne: credentials rejected")
    [block] = result.content
    assert isinstance(block, TextContent)
    assert "! pressone: PressOne: credentials rejected" in block.text


async def test_rate_limiting_says_when_to_retry(make_server: ServerMaker) -> None:
    limited = sandbox_app(orders=10, fault_rate=1.0, faults=("429",))
    async with Client(make_server(app=limited)) as client:
        listing = await failure(client, "list_orders")
        order = await failure(client, "get_order", ref="pressone:1")
    for text in (listing, order):
        assert "is rate-limiting requests; retry in" in text
        assert text.endswith(("seconds.", "a minute."))


async def test_a_bug_gives_a_generic_message_and_logs_the_traceback(
    make_server: ServerMaker, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret internals: token=abc123")

    def patch(service: OrderService) -> None:
        service.list_page = broken  # type: ignore[method-assign]

    caplog.set_level(logging.INFO)
    async with Client(make_server(patch=patch)) as client:
        text = await failure(client, "list_orders")
    assert text.startswith("Internal error in list_orders; the server logged the details.")
    assert "secret" not in text
    assert "RuntimeError" not in text
    crashes = [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]
    assert crashes, "the crash is logged with its traceback"
    assert "secret internals" in caplog.text
    assert "RuntimeError" in caplog.text
