"""Bad upstream data through the MCP client: truncated JSON, HTML with status 200, wrong
types, unknown enums, missing fields, absurd sizes. Each gives a typed error or tolerated
data, never a crash or a hang; a 50 MB body is cut while it streams, over real HTTP."""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from mcp import Client
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from esim_orders.client.transport import RetryPolicy

from ..helpers import DISPLAY_NAMES, TWO_ATTEMPTS, sandbox_app, state, text_of
from ..helpers.loopback import loopback_transport, serve_loopback
from ..helpers.providers import Hostile, make_server, mutate, provider_settings, real_orders

# No answer a model reads should be longer, whatever the provider sent.
ANSWER_CAP = 12_000
Answer = Callable[[str, dict[str, Any]], Response]


def bodies(provider: str, rows: list[Any]) -> tuple[Any, Any]:
    """(list answer, single-order answer) carrying `rows` in the provider's layout."""
    if provider == "pressone":
        listing = {"data": rows, "meta": {"last_page": 1, "per_page": "100", "total": len(rows)}}
        return listing, {"data": rows[0] if rows else None, "meta": {"message": "success"}}
    return rows, rows[0] if rows else None


def nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


# Each case: the rows of an answer, per provider. Tolerated cases must still be answered.
TOLERATED: dict[str, Callable[[dict[str, Any], str], list[Any]]] = {
    "wrong types": lambda o, p: [
        mutate(
            o,
            code=["20260101-1"],
            created_at=12345,
            createdAt={"when": "now"},
            description=42,
            price=["9.50"],
            quantity="many",
            sims="none",
            user=7,
            status=["completed"] if p == "pressone" else 3,
            currency={"x": 1},
            data=7,
            validity="forever",
            plan="a plan",
            subscription=[1],
            failureReason={"code": 1},
            notifyRecipient="perhaps",
        )
    ],
    "unknown enums": lambda o, p: [
        mutate(o, status={"slug": "exploded", "name": "Exploded"}, type="bundle")
        if p == "pressone"
        else mutate(
            o,
            status="EXPLODED",
            type="WEEKLY",
            subscription={"id": "sub_1", "status": "ZOMBIE", "esimID": "e1"},
        )
    ],
    "missing fields": lambda o, p: [{"id": o["id"]}, {}, {"status": "FAILED"}],
    "absurd numbers": lambda o, p: [
        mutate(o, price="1e999999999", quantity=10**30, validity="1e999999999", data="1e5000 GB")
        if p == "pressone"
        else mutate(
            o,
            plan={
                **o["plan"],
                "dataValue": 1e308,
                "durationValue": "1e999999999",
                "prices": [{"currencyISO": "USD", "value": 10**50, "minorExponentUnits": 2}],
            },
        )
    ],
    "deep nesting": lambda o, p: [mutate(o, extra=nested(900))],
    "100 KB strings": lambda o, p: [
        mutate(
            o,
            description="d" * 100_000,
            code="c" * 100_000,
            package="p" * 100_000,
            failureReason="r" * 100_000,
            paymentReference="x" * 100_000,
        )
    ],
    "not objects": lambda o, p: [1, "two", None, [3], o],
}
# Tolerated cases whose single-order answer (the listing's first row) is no order at all.
SINGLE_ORDER_UNREADABLE = {
    "not objects": {
        "pressone": "PressOne sent an answer that could not be read (unexpected answer shape: "
        "order answer without an order object); retry later.",
        "zim": "Zim sent an answer that could not be read (unexpected answer shape: order is "
        "not an object); retry later.",
    },
}
# Answers that cannot be read at all: a typed error naming the provider.
UNREADABLE: dict[str, Callable[[str], Response]] = {
    "truncated JSON": lambda p: Response(b'{"data": [{"id": 1, "co', media_type="application/json"),
    "HTML with status 200": lambda p: HTMLResponse(
        "<!DOCTYPE html><html><head><title>Maintenance</title></head><body>back soon</body></html>"
    ),
    "empty body": lambda p: Response(b"", media_type="application/json"),
    "invalid UTF-8": lambda p: Response(b"\xff\xfe\xfa" * 100, media_type="application/json"),
    "JSON nested 100,000 deep": lambda p: Response(
        b"[" * 100_000 + b"]" * 100_000, media_type="application/json"
    ),
    "wrong top-level shape": lambda p: JSONResponse(
        {"data": "nope"} if p == "pressone" else {"orders": []}
    ),
}


@pytest.fixture
def hostile() -> Hostile:
    return Hostile(sandbox_app(orders=5))


def answer_with(hostile: Hostile, provider: str, listing: Any, single: Any) -> None:
    def answer(path: str) -> Response | None:
        if not path.startswith(f"/{provider}/"):
            return None
        is_listing = path.rstrip("/").endswith("/orders")
        return JSONResponse(listing if is_listing else single)

    hostile.answer = answer


async def calls(client: Client, provider: str, ref: str) -> list[Any]:
    """The tool calls that read the provider's answer: listings and one order."""
    results = []
    for tool, arguments in (
        ("list_orders", {"provider": provider}),
        ("list_orders", {}),
        ("get_order", {"ref": ref}),
        ("explain_failure", {"ref": ref}),
    ):
        started = time.monotonic()
        result = await client.call_tool(tool, arguments)
        elapsed = time.monotonic() - started
        text = text_of(result)
        assert elapsed < TWO_ATTEMPTS.deadline, (tool, elapsed)
        assert not text.startswith("Internal error"), (tool, arguments, text)
        assert len(text) < ANSWER_CAP, (tool, len(text))
        assert len(json.dumps(result.structured_content or {})) < 2 * ANSWER_CAP
        results.append(result)
    return results


@pytest.mark.parametrize("provider", ["pressone", "zim"])
@pytest.mark.parametrize("case", list(TOLERATED))
async def test_odd_but_readable_data_is_tolerated(hostile: Hostile, provider: str, case: str):
    pressone, zim = real_orders(hostile.inner)
    original = pressone if provider == "pressone" else zim
    rows = TOLERATED[case](original, provider)
    answer_with(hostile, provider, *bodies(provider, rows))
    ref = f"{provider}:{original['id']}"
    made = make_server(provider_settings(), policy=TWO_ATTEMPTS, app=hostile)
    async with Client(made.server) as client:
        own, both, one, explained = await calls(client, provider, ref)
    assert not own.is_error and not both.is_error, text_of(own)
    page = own.structured_content or {}
    readable = [row for row in rows if isinstance(row, dict) and "id" in row]
    assert page["returned"] == len(readable)
    skipped = len(rows) - len(readable)
    if skipped:
        [issue] = page["provider_errors"]
        assert issue["error"] == f"{skipped} order(s) could not be read and are left out."
    if case in SINGLE_ORDER_UNREADABLE:
        # The single-order answer itself is not an order: a typed error naming the provider.
        for result in (one, explained):
            assert result.is_error, text_of(result)
            assert text_of(result) == SINGLE_ORDER_UNREADABLE[case][provider]
    else:
        # Read, however odd: the order asked for, and its explanation.
        assert not one.is_error, text_of(one)
        assert (one.structured_content or {})["ref"] == ref
        assert text_of(one).startswith(f"Order {ref}: ")
        assert not explained.is_error, text_of(explained)
        assert text_of(explained).startswith(f"{ref}: ")
    if case == "unknown enums":
        [order] = page["orders"]
        assert order["status"] == "UNKNOWN"
        assert order["provider_status"] == ("exploded" if provider == "pressone" else "EXPLODED")
        assert order["type"] == "UNKNOWN"


@pytest.mark.parametrize("provider", ["pressone", "zim"])
@pytest.mark.parametrize("case", list(UNREADABLE))
async def test_unreadable_answers_are_a_typed_error_naming_the_provider(
    hostile: Hostile, provider: str, case: str
):
    pressone, zim = real_orders(hostile.inner)
    original = pressone if provider == "pressone" else zim
    make = UNREADABLE[case]
    hostile.answer = lambda path: make(provider) if path.startswith(f"/{provider}/") else None
    made = make_server(provider_settings(), policy=TWO_ATTEMPTS, app=hostile)
    async with Client(made.server) as client:
        own, both, one, explained = await calls(client, provider, f"{provider}:{original['id']}")
    for result in (own, one, explained):
        assert result.is_error
        assert text_of(result).startswith(f"{DISPLAY_NAMES[provider]} "), text_of(result)
    assert not both.is_error
    [issue] = (both.structured_content or {})["provider_errors"]
    assert issue["provider"] == provider
    if case != "HTML with status 200" or provider == "zim":
        assert "could not be read" in text_of(own)


async def test_a_paginator_that_never_ends_is_cut_short(hostile: Hostile) -> None:
    """A gateway that ignores `page` and drops the paginator meta answers the same full page
    for ever; walking the listing by cursor stops at the first page that repeats the last."""
    pressone, _ = real_orders(hostile.inner)
    page = [mutate(pressone, id=pressone["id"] + i) for i in range(100)]
    served = []

    def answer(path: str) -> Response | None:
        if path.startswith("/pressone/"):
            served.append(path)
            return JSONResponse({"data": page})
        return None

    hostile.answer = answer
    made = make_server(provider_settings(), policy=TWO_ATTEMPTS, app=hostile)
    refs: list[str] = []
    arguments: dict[str, object] = {"provider": "pressone", "limit": 40}
    async with Client(made.server) as client:
        for _ in range(10):
            result = await client.call_tool("list_orders", arguments)
            assert not result.is_error, text_of(result)
            shown = result.structured_content or {}
            refs += [o["ref"] for o in shown["orders"]]
            if not shown.get("next_cursor"):
                break
            arguments["cursor"] = shown["next_cursor"]
    assert len(refs) == len(set(refs)) == 100
    assert shown["total"] == 100 and shown["total_exact"]
    assert len(served) == 2  # page 1, then page 2 (the same rows again): the end


# ---- 50 MB over real HTTP ----------------------------------------------------------------

HUGE = 50 * 1024 * 1024
CHUNK = 64 * 1024
CAP = 2 * 1024 * 1024


class FiftyMegabytes:
    """Streams a 50 MB JSON body for API requests, slowly, and counts what it got out before
    the client hung up. Token requests go to the sandbox."""

    def __init__(self, inner: ASGIApp, *, declare_length: bool) -> None:
        self.inner = inner
        self.declare_length = declare_length
        self.sent = 0
        self.hung_up = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].endswith("token"):
            await self.inner(scope, receive, send)
            return
        headers = [(b"content-type", b"application/json")]
        if self.declare_length:
            headers.append((b"content-length", str(HUGE).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            self.hung_up = True

        chunk = b"[" + b" " * (CHUNK - 1)
        async with anyio.create_task_group() as group:
            group.start_soon(watch)
            while self.sent < HUGE and not self.hung_up:
                # uvicorn holds a send while the socket's buffers are full: `sent` is what
                # the kernel took, give or take one chunk.
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                self.sent += len(chunk)
                chunk = b" " * CHUNK
                await anyio.sleep(0.001)
            group.cancel_scope.cancel()


@pytest.mark.parametrize(
    ("provider", "declare_length"), [("pressone", False), ("zim", False), ("zim", True)]
)
async def test_a_50_mb_body_is_cut_at_the_cap_while_it_streams(
    provider: str, declare_length: bool
) -> None:
    huge = FiftyMegabytes(sandbox_app(orders=5), declare_length=declare_length)
    # Zim's whole-account list is streamed, under its own cap: both caps are the same here.
    policy = RetryPolicy(max_attempts=2, deadline=10.0, max_body_bytes=CAP, max_stream_bytes=CAP)
    with serve_loopback(huge) as running:
        settings = provider_settings(running.origin)
        made = make_server(settings, policy=policy, transport=loopback_transport())
        async with Client(made.server) as client:
            await client.call_tool("explain_failure", {"provider": "zim", "code": "34"})  # warm
            tracemalloc.start()
            try:
                started = time.monotonic()
                result = await client.call_tool("list_orders", {"provider": provider})
                elapsed = time.monotonic() - started
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        deadline = time.monotonic() + 5
        while not huge.hung_up and time.monotonic() < deadline:
            await anyio.sleep(0.01)
    assert result.is_error
    text = text_of(result)
    assert text == (
        f"{DISPLAY_NAMES[provider]} sent an answer that could not be read "
        "(answer larger than 2 MB; stopped reading); retry later."
    )
    assert huge.hung_up
    # Loopback socket buffers hold a few MB in flight; what left the server is nowhere near
    # 50 MB, and what this process held at its peak is near the cap, not the body.
    assert huge.sent < 16 * 1024 * 1024, huge.sent
    assert peak < 4 * CAP, peak
    assert elapsed < 5, elapsed
    if declare_length:
        assert huge.sent < 8 * 1024 * 1024  # refused on the declared length, before reading


async def test_unknown_zim_ids_share_one_list_read_when_the_single_order_route_is_missing(
    hostile: Hostile,
) -> None:
    """`GET /orders/{id}` is unconfirmed at Zim. Where it answers 404 for everything, an
    unknown id falls back to the whole list: concurrent callers share one read of it, later
    callers within the listing's lifetime are answered from it, and once the list shows the
    route is missing (it holds an order the route denied) the route is not tried again."""
    single_route_hits = 0

    def no_single_order_route(path: str) -> Response | None:
        nonlocal single_route_hits
        if path.startswith("/zim/orders/"):
            single_route_hits += 1
            return Response("Cannot GET", status_code=404, media_type="text/plain")
        return None

    hostile.answer = no_single_order_route
    known = f"zim:{state(hostile.inner).data.zim.orders[0].id}"
    made = make_server(provider_settings(), policy=TWO_ATTEMPTS, app=hostile)
    results: list[Any] = []
    async with Client(made.server) as client:

        async def ask(tool: str, ref: str) -> None:
            results.append(await client.call_tool(tool, {"ref": ref}))

        async with anyio.create_task_group() as group:
            for n in range(10):
                group.start_soon(ask, "get_order", f"zim:ordr_unknown{n:016d}")
        for n in range(5):
            await ask("explain_failure", f"zim:ordr_missing{n:016d}")
        await ask("get_order", known)
        hits_once_known_missing = single_route_hits
        for n in range(5):
            await ask("get_order", f"zim:ordr_absent{n:017d}")

    *unknown, found, _, _, _, _, _ = results
    assert all(r.is_error and "No order" in text_of(r) for r in unknown), [
        text_of(r) for r in unknown
    ]
    assert not found.is_error, text_of(found)
    list_reads = state(hostile.inner).stats.api_requests[("zim", "/orders")]
    assert list_reads == 1
    assert single_route_hits == hits_once_known_missing == 16
