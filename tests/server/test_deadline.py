"""A whole tool call has a deadline: slow providers give a tool error, not a wait without end."""

from __future__ import annotations

import pytest
from mcp import Client

from esim_orders.server import app as server_app

from ..helpers import sandbox_app, text_of
from ..helpers.tools import ServerMaker


async def test_a_call_past_the_tool_deadline_is_a_tool_error_that_says_retry(
    make_server: ServerMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_app, "TOOL_CALL_DEADLINE", 0.3)
    slow = sandbox_app(orders=20, latency_ms=2000)
    async with Client(make_server(app=slow)) as client:
        result = await client.call_tool("get_order", {"ref": "zim:ordr_FaiL1234567890abcdEFG"})
    assert result.is_error
    assert text_of(result) == (
        "get_order took longer than 0.3 seconds, the providers are answering slowly; "
        "retry in a minute."
    )
