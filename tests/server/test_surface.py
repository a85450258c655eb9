"""The tool surface a client sees: the checked-in snapshot, schemas, hints, instructions.

After changing the surface on purpose, regenerate the snapshot and review its diff:

    UPDATE_SNAPSHOTS=1 python -m pytest tests/server -k snapshot
"""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS
from pydantic.fields import FieldInfo

from esim_orders.server import INSTRUCTIONS, OrdersServer, build_server
from esim_orders.server.registry import FACE_PARAMETERS, FACES
from esim_orders.settings import Settings

from ..helpers.tools import Connect, ServerMaker

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools_list.json"


async def listed_tools(server: OrdersServer) -> list[dict[str, Any]]:
    async with Client(server, mode="legacy") as client:
        listed = await client.list_tools()
    return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in listed.tools]


async def test_tools_list_matches_the_snapshot(server: OrdersServer) -> None:
    current = json.dumps(await listed_tools(server), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1"
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "the tool surface changed; if on purpose, rerun with UPDATE_SNAPSHOTS=1 and commit "
        f"the new {SNAPSHOT.name}"
    )


async def test_every_description_is_one_paragraph(server: OrdersServer) -> None:
    """A docstring's wrapping is not the description's: no line breaks reach a client."""
    for tool in await listed_tools(server):
        texts = [tool["description"]] + [
            p.get("description", "") for p in tool["inputSchema"]["properties"].values()
        ]
        for text in texts:
            assert "\n" not in text and "  " not in text, (tool["name"], text)


async def test_every_tool_is_read_only_open_world_and_titled(server: OrdersServer) -> None:
    tools = await listed_tools(server)
    assert [tool["name"] for tool in tools] == [
        "list_orders",
        "get_order",
        "explain_failure",
        "get_esim",
    ]
    for tool in tools:
        assert tool["title"]
        assert tool["annotations"] == {
            "readOnlyHint": True,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": True,
        }
        assert tool["outputSchema"]["type"] == "object"


@pytest.mark.parametrize("face", FACES, ids=lambda face: face.name)
async def test_arguments_are_the_tool_functions_own(server: OrdersServer, face: Any) -> None:
    """Names, descriptions, defaults and required-ness come from the tool's signature."""
    [tool] = [t for t in await listed_tools(server) if t["name"] == face.name]
    schema = tool["inputSchema"]
    parameters = {
        name: p
        for name, p in inspect.signature(face.fn, eval_str=True).parameters.items()
        if name not in FACE_PARAMETERS  # the service, the face's words: never the caller's
    }
    assert list(schema["properties"]) == list(parameters)
    required = [name for name, p in parameters.items() if p.default is inspect.Parameter.empty]
    assert schema.get("required", []) == required
    for name, prop in schema["properties"].items():
        # The last `Field` of the annotation (a shared type may bring constraints before it).
        field = [m for m in parameters[name].annotation.__metadata__ if isinstance(m, FieldInfo)][
            -1
        ]
        assert prop["description"] == field.description
        if parameters[name].default is not inspect.Parameter.empty:
            assert prop["default"] == parameters[name].default
    assert tool["description"].startswith(" ".join((inspect.getdoc(face.fn) or "").split()))


async def test_output_schema_describes_what_is_sent(server: OrdersServer) -> None:
    """Computed fields (the ref, formatted prices) are in it; the raw payload is not."""
    tools = {tool["name"]: tool for tool in await listed_tools(server)}
    order = tools["get_order"]["outputSchema"]
    assert "ref" in order["properties"]
    assert "raw" not in order["properties"]
    assert "formatted" in order["$defs"]["Money"]["properties"]
    page = tools["list_orders"]["outputSchema"]
    assert {"orders", "returned", "next_cursor", "provider_errors"} <= set(page["properties"])


async def test_instructions_say_what_the_tools_are_for_and_how_refs_look(
    make_server: ServerMaker,
) -> None:
    async with Client(make_server(), mode="legacy") as client:
        instructions = client.session.instructions or ""
    assert instructions.startswith(INSTRUCTIONS)
    for needle in ("list_orders", "get_order", "explain_failure", "pressone:9666", "zim:ordr_"):
        assert needle in instructions
    assert len(instructions.splitlines()) <= 8
    assert "sandbox" in instructions  # no provider configured: the model is told it is demo data


def test_instructions_leave_out_the_sandbox_note_for_real_providers() -> None:
    env = {"ZIM_CLIENT_ID": "id", "ZIM_CLIENT_SECRET": "secret"}
    assert build_server(Settings.from_env(env)).instructions == INSTRUCTIONS


@pytest.mark.parametrize("mode", ["legacy", *MODERN_PROTOCOL_VERSIONS, "auto"])
async def test_handshake_and_modern_protocols_both_work(server: OrdersServer, mode: str) -> None:
    async with Client(server, mode=mode) as client:
        page = await client.call_tool("list_orders", {"limit": 1})
        version = client.protocol_version
    assert not page.is_error
    assert page.structured_content
    expected = HANDSHAKE_PROTOCOL_VERSIONS[-1] if mode == "legacy" else MODERN_PROTOCOL_VERSIONS[-1]
    assert version == expected


async def test_one_service_per_server_run_closed_when_the_client_leaves(
    connect: Connect, opened: Any
) -> None:
    async with connect() as client:
        await client.call_tool("list_orders", {"limit": 1})
        await client.call_tool("list_orders", {"limit": 2})
        assert len(opened.services) == 1
        assert not opened.services[0]._http.is_closed
    assert opened.services[0]._http.is_closed
