"""eSIM state through the MCP client on the sandbox: every completed order's eSIMs explained
with next steps, every state support must diagnose reached, get_esim by ref and by ICCID for
both providers, one usage request per eSIM within the cache time, and a 429 honoured with
the answer still arriving."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import anyio
from mcp import Client
from starlette.applications import Starlette

from esim_orders.models import Provider
from esim_orders.sandbox.pressone.esims import PACKAGES_PATH, SIM_PATH, USAGE_PATH
from esim_orders.sandbox.zim_esims import ESIM_PATH, esim_objects
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import open_service

from ..helpers import NOW, SANDBOX, FakeClock, sandbox_app, state, text_of
from ..helpers.tools import ServerMaker, all_refs, call

#: Each state the issue names, by the catalogue entry that explains it, and the providers
#: whose sandbox eSIMs must reach it.
STATES = {
    "any:ESIM_NEVER_USED": ("pressone", "zim"),  # never installed / never used
    "any:ESIM_DOWNLOADED_STUCK": ("zim",),  # stuck as downloaded
    "any:ESIM_UNINSTALLED": ("zim",),  # removed by the user
    "any:ESIM_ALLOWANCE_USED_UP": ("pressone", "zim"),
    "any:ESIM_VALIDITY_OVER": ("pressone", "zim"),
    "any:ESIM_RECYCLED": ("pressone",),
    "any:ESIM_MANUAL_APN": ("pressone",),
    "any:ESIM_STATE_UNKNOWN": ("pressone", "zim"),  # UNKNOWN, UNAVAILABLE, an undocumented word
    "any:ESIM_HEALTHY": ("pressone", "zim"),  # all healthy, N MB left
}


def pinned(service: OrderService) -> None:
    """Ages measured at the sandbox's own clock."""
    service.now = lambda: NOW


def sandbox_iccids(app: Starlette) -> dict[str, str]:
    """One ICCID per provider that a completed order issued (Zim's with 20 digits)."""
    data = state(app).data
    pressone = next(o for o in data.pressone.orders if o.status == "completed" and o.iccids)
    zim = esim_objects(data.zim, int(NOW.timestamp() * 1000))
    long = next(str(e["iccid"]) for e in zim.values() if len(str(e["iccid"])) == 20)
    return {"pressone": pressone.iccids[0], "zim": long}


async def test_every_completed_order_is_explained_by_its_esims_and_every_state_is_reached(
    make_server: ServerMaker,
) -> None:
    reached: dict[str, set[str]] = defaultdict(set)
    async with Client(make_server(patch=pinned)) as client:
        refs = await all_refs(client, status=["COMPLETED"])
        assert len(refs) > 40
        for ref in refs:
            result = await call(client, "explain_failure", ref=ref)
            expl = result.structured_content or {}
            assert expl["next_steps"] or not expl["esims"], ref  # nothing to do is said too
            if not expl["esims"]:
                continue  # a top-up, or a Zim order without a subscription: no eSIM to read
            assert expl["entry"].startswith("any:ESIM_"), ref
            assert expl["next_steps"] and expl["who_acts"], ref
            assert any(e["field"] == "esim" for e in expl["evidence"])
            text = text_of(result)
            assert expl["title"] in text and "Next steps:" in text
            if expl["something_wrong"] and "escalation_note" in expl:
                assert ref.split(":", 1)[1] in expl["escalation_note"]
            for esim in expl["esims"]:
                reached[esim["entry"]].add(ref.split(":", 1)[0])
    for entry, providers in STATES.items():
        assert set(providers) <= reached[entry], (entry, reached[entry])


async def test_healthy_answer_says_the_data_left(make_server: ServerMaker) -> None:
    async with Client(make_server(patch=pinned)) as client:
        for ref in await all_refs(client, provider="pressone", status=["COMPLETED"]):
            expl = (await call(client, "explain_failure", ref=ref)).structured_content or {}
            if expl.get("entry") == "any:ESIM_HEALTHY":
                break
        else:
            raise AssertionError("no healthy PressOne eSIM in the sandbox")
    assert expl["outcome"] == "ok" and not expl["something_wrong"]
    assert " MB left" in expl["diagnosis"] and "valid until" in expl["diagnosis"]


async def test_get_esim_by_ref_and_by_iccid_for_both_providers(
    make_server: ServerMaker, sandbox_app: Starlette
) -> None:
    iccids = sandbox_iccids(sandbox_app)
    async with Client(make_server(patch=pinned)) as client:
        for provider in ("pressone", "zim"):
            refs = await all_refs(client, provider=provider, status=["COMPLETED"])
            by_ref: dict[str, Any] = {}
            for ref in refs:
                answer = (await call(client, "get_esim", ref=ref)).structured_content or {}
                if answer["esims"]:
                    by_ref = answer
                    break
            esim = by_ref["esims"][0]
            assert esim["provider"] == provider and esim["order_ref"] == by_ref["ref"]
            assert esim["iccid"].isdigit() and esim["status"]
            assert esim["sources"] and esim["packages"]
            result = await call(client, "get_esim", iccid=iccids[provider])
            answer = result.structured_content or {}
            assert [e["iccid"] for e in answer["esims"]] == [iccids[provider]]
            assert answer["esims"][0]["provider"] == provider
            text = text_of(result)
            assert text.startswith(f"eSIM {iccids[provider]}: ")
            assert "Data" in text
        unknown = await client.call_tool("get_esim", {"iccid": "8999999999999999999"})
        assert unknown.is_error and "No configured provider knows" in text_of(unknown)
        both = await client.call_tool("get_esim", {"ref": "pressone:1", "iccid": "89440000001"})
        assert both.is_error and "either" in text_of(both)


async def test_a_20_digit_zim_iccid_stays_exact(sandbox_app: Starlette) -> None:
    iccid = sandbox_iccids(sandbox_app)["zim"]
    assert int(iccid) > 2**64 and float(int(iccid)) != int(iccid)  # a float would lose it
    async with open_service(SANDBOX, sandbox_app=sandbox_app) as service:
        found = await service.esim_by_iccid(iccid)
    assert found.iccid == iccid and found.provider is Provider.ZIM


async def test_many_calls_within_the_cache_time_cause_one_usage_request(
    make_server: ServerMaker, sandbox_app: Starlette
) -> None:
    data = state(sandbox_app).data
    order = next(o for o in data.pressone.orders if o.status == "completed" and o.iccids)
    ref, iccid = f"pressone:{order.id}", order.iccids[0]
    zim_order = next(o for o in data.zim.orders if o.status == "FULFILLED" and o.subscription)
    zim_ref = f"zim:{zim_order.id}"
    stats = state(sandbox_app).stats
    async with Client(make_server(patch=pinned)) as client:

        async def ask() -> None:
            await call(client, "get_esim", ref=ref)

        async with anyio.create_task_group() as group:  # a burst at once
            for _ in range(6):
                group.start_soon(ask)
        for _ in range(3):  # and one after another
            await call(client, "get_esim", ref=ref)
            await call(client, "explain_failure", ref=ref)
            await call(client, "get_esim", iccid=iccid)
            await call(client, "get_esim", ref=zim_ref)
            await call(client, "explain_failure", ref=zim_ref)
    for path in (USAGE_PATH, PACKAGES_PATH, SIM_PATH):
        assert stats.esim_requests[("pressone", path, iccid)] == 1, path
    assert stats.esim_requests[("zim", ESIM_PATH, zim_order.subscription.esim_id)] == 1
    assert stats.api_requests[("zim", "/subscriptions/")] == 1


async def test_a_429_is_honoured_until_its_retry_after_and_the_answer_still_arrives(
    make_server: ServerMaker,
) -> None:
    app = sandbox_app(orders=60, esim_rate_limit=1, esim_rate_window_s=60)
    clock = FakeClock()
    state(app).clock = clock
    data = state(app).data
    order = next(o for o in data.pressone.orders if o.status == "completed" and o.iccids)
    ref, iccid = f"pressone:{order.id}", order.iccids[0]
    stats = state(app).stats
    caches: list[Any] = []

    def patch(service: OrderService) -> None:
        pinned(service)
        cache = service.clients[Provider.PRESSONE].esims.cache  # type: ignore[attr-defined]
        cache.clock = cache.facts.clock = clock
        caches.append(cache)

    # Another client of the same account used this eSIM's one request of the minute.
    async with Client(make_server(app=app, patch=patch)) as other:
        await call(other, "get_esim", ref=ref)
    assert stats.esim_requests[("pressone", USAGE_PATH, iccid)] == 1
    async with Client(make_server(app=app, patch=patch)) as client:
        result = await call(client, "get_esim", ref=ref)
        esim = (result.structured_content or {})["esims"][0]
        unread = {u["fact"]: u for u in esim["unread"]}
        assert {"usage", "packages", "record"} <= set(unread)
        retry_at = datetime.fromisoformat(unread["usage"]["retry_at"])
        checked = datetime.fromisoformat(esim["checked_at"])
        assert timedelta(seconds=55) <= retry_at - checked <= timedelta(seconds=61)
        assert "Usage could not be read now; try again after" in text_of(result)
        expl = (await call(client, "explain_failure", ref=ref)).structured_content or {}
        assert expl["entry"] == "any:ESIM_USAGE_UNREADABLE"
        assert "try again after" in expl["diagnosis"] and expl["retry"] == "later"
        # Within the Retry-After no request goes out for that eSIM's usage.
        assert stats.esim_requests[("pressone", USAGE_PATH, iccid)] == 2
        clock.now += 61
        answer = (await call(client, "get_esim", ref=ref)).structured_content or {}
        assert stats.esim_requests[("pressone", USAGE_PATH, iccid)] == 3
        assert answer["esims"][0]["unread"] == [] and "data" in answer["esims"][0]
