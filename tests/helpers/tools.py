"""The tools through an MCP client: calls that must succeed, the schemas the server states,
and every ref a listing reaches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp import Client
from mcp_types import CallToolResult

from esim_orders.server import OrdersServer

from . import text_of

__all__ = ["Connect", "ServerMaker", "all_refs", "call", "output_schemas"]

#: Opens an in-memory MCP client on the server under test (the `connect` fixture).
Connect = Callable[[], Client]
#: Builds a server under test (the `make_server` fixture of tests/server).
ServerMaker = Callable[..., OrdersServer]


async def call(client: Client, tool: str, **arguments: Any) -> CallToolResult:
    """A tool call that must succeed."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return result


async def output_schemas(client: Client) -> dict[str, dict[str, Any]]:
    listed = await client.list_tools()
    return {tool.name: tool.output_schema or {} for tool in listed.tools}


async def all_refs(client: Client, **filters: Any) -> list[str]:
    """Every ref under `filters`, page by page through next_cursor."""
    refs: list[str] = []
    cursor = None
    while True:
        arguments = {**filters, "limit": 100} | ({"cursor": cursor} if cursor else {})
        page = (await call(client, "list_orders", **arguments)).structured_content
        assert page is not None
        refs += [order["ref"] for order in page["orders"]]
        cursor = page.get("next_cursor")
        if cursor is None:
            return refs
