"""What a list_orders page costs a model's context: its text and structured content, per order,
against the provider's own JSON for the same orders (`include=sims,user,status`)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx2

from esim_orders.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, in_process_transport

from .harness import Result, at_most
from .inprocess import connected, sandbox_app

PAGE = 100
PAGE_BUDGET = 16 * 1024


def run() -> list[Result]:
    return anyio.run(_measure)


async def _measure() -> list[Result]:
    app = sandbox_app()
    async with connected(app) as client:
        result = await client.call_tool("list_orders", {"provider": "pressone", "limit": PAGE})
    structured = result.structured_content or {}
    refs = [order["ref"].split(":", 1)[1] for order in structured["orders"]]
    if len(refs) != PAGE:
        raise RuntimeError(f"expected a page of {PAGE}, got {len(refs)}")
    text = "".join(block.text for block in result.content if block.type == "text")
    text_bytes = len(text.encode())
    structured_bytes = len(_compact(structured).encode())
    raw = await _raw_orders(app, refs)
    raw_per_order = sum(len(_compact(row).encode()) for row in raw) / len(raw)
    note = (
        f"a {PAGE}-order page of PressOne orders; the provider's JSON per order as compact "
        f"JSON (its smallest form), {raw_per_order:.0f} bytes on average"
    )
    return [
        Result.of(
            "text content bytes per order (list_orders page)",
            text_bytes / PAGE,
            raw_per_order,
            "bytes",
            at_most(0.25),
            note,
        ),
        Result.of(
            f"text content of a {PAGE}-order page, against 16 KB",
            text_bytes,
            PAGE_BUDGET,
            "bytes",
            at_most(1),
            "the whole text block, header and cursor line included",
        ),
        Result.of(
            "structured content bytes per order (list_orders page)",
            structured_bytes / PAGE,
            raw_per_order,
            "bytes",
            at_most(0.5),
            note + "; structured content as compact JSON",
        ),
    ]


async def _raw_orders(app: Any, ids: list[str]) -> list[dict[str, Any]]:
    """The same orders as PressOne's API sends them, straight from the sandbox."""
    async with httpx2.AsyncClient(
        transport=in_process_transport(app), base_url="http://sandbox.invalid/pressone"
    ) as http:
        token = await http.post(
            "/customer/v2/token",
            data={
                "client_id": SANDBOX_CLIENT_ID,
                "client_secret": SANDBOX_CLIENT_SECRET,
                "grant_type": "client_credentials",
            },
        )
        bearer = {"Authorization": f"Bearer {token.json()['data']['access_token']}"}
        rows = []
        for order_id in ids:
            answer = await http.get(
                f"/customer/v2/orders/{order_id}",
                params={"include": "sims,user,status"},
                headers=bearer,
            )
            rows.append(answer.json()["data"])
    return rows


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


if __name__ == "__main__":
    for r in run():
        print(r)
