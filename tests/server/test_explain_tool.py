"""explain_failure through the MCP client: every failed order, raw codes, and its errors."""

from __future__ import annotations

import jsonschema

from ..helpers import text_of
from ..helpers.tools import Connect, all_refs, call, output_schemas


async def test_every_failed_sandbox_order_is_explained_with_next_steps(connect: Connect) -> None:
    async with connect() as client:
        schema = (await output_schemas(client))["explain_failure"]
        failed = await all_refs(client, status=["FAILED"])
        assert failed
        for ref in failed:
            result = await call(client, "explain_failure", ref=ref)
            explanation = result.structured_content
            assert explanation is not None
            jsonschema.validate(explanation, schema)
            assert explanation["something_wrong"] is True
            assert explanation["next_steps"]
            assert "Next steps" in text_of(result)


async def test_raw_codes_explain_without_an_order(connect: Connect) -> None:
    async with connect() as client:
        for provider, code in (("pressone", "4008"), ("zim", "PLAN_NOT_FOUND")):
            found = (
                await call(client, "explain_failure", provider=provider, code=code)
            ).structured_content
            assert found is not None and found["confidence"] == "known_code"
        unknown = (
            await call(client, "explain_failure", provider="zim", code="SOMETHING_NEW")
        ).structured_content
        assert unknown is not None and unknown["confidence"] == "unknown"


async def test_explain_without_ref_or_code_is_a_tool_error_naming_the_field(
    connect: Connect,
) -> None:
    async with connect() as client:
        result = await client.call_tool("explain_failure", {})
        assert result.is_error and "ref" in text_of(result)
        missing = await client.call_tool(
            "explain_failure", {"ref": "zim:ordr_nothingHere000000000"}
        )
        assert missing.is_error and "list_orders" in text_of(missing)
