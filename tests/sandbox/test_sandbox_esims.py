"""The sandbox's eSIM endpoints on the wire: documented shapes, bare-number ICCIDs, 404s, the
per-eSIM rate limit with its Retry-After, and every state deterministic."""

from __future__ import annotations

import re

import httpx2

from esim_orders.sandbox import Sandbox, SandboxConfig, create_app
from esim_orders.sandbox.esim_data import PRESSONE_STATUS, ZIM_STATUS
from esim_orders.sandbox.pressone.esims import index_esims
from esim_orders.sandbox.zim_esims import esim_objects

from ..helpers import NOW, FakeClock

SIMS = "/pressone/customer/v2/sims"


def _issued(sandbox: Sandbox) -> str:
    return next(o for o in sandbox.data.pressone.orders if o.status == "completed" and o.iccids)


async def test_pressone_usage_packages_and_record_in_the_upstream_shapes(
    client: httpx2.AsyncClient, pressone_headers: dict[str, str], sandbox: Sandbox
) -> None:
    iccid = _issued(sandbox).iccids[0]
    usage = (await client.get(f"{SIMS}/{iccid}/usage", headers=pressone_headers)).json()
    assert set(usage["data"]) >= {"remaining", "total", "expired_at", "is_unlimited", "status"}
    assert usage["meta"]["message"] in ("success", "api.succes")
    packages = (await client.get(f"{SIMS}/{iccid}/packages", headers=pressone_headers)).json()
    assert "meta" not in packages and packages["data"][0]["package"]["type"] == "sim"
    record = (await client.get(f"{SIMS}/{iccid}", headers=pressone_headers)).json()["data"]
    assert record["iccid"] == iccid and isinstance(record["recycled"], bool)
    assert record["direct_apple_installation_url"] and record["simable"]["id"]
    missing = await client.get(f"{SIMS}/8999999999999999999/usage", headers=pressone_headers)
    assert missing.status_code == 404
    assert missing.json() == {"data": [], "meta": {"message": "messages.resource_not_found"}}
    assert (await client.get(f"{SIMS}/{iccid}/usage")).status_code == 401


async def test_zim_esims_and_subscriptions_are_bare_arrays_with_numbers_as_numbers(
    client: httpx2.AsyncClient, zim_headers: dict[str, str]
) -> None:
    listed = await client.get("/zim/esims", headers=zim_headers)
    raw = listed.text
    assert re.search(r'"iccid":\d{19,20}[,}]', raw) and re.search(r'"msisdn":\d{12}[,}]', raw)
    assert re.search(r'"iccid":\d{20}[,}]', raw), "some ICCIDs have 20 digits"
    esims = listed.json()
    one = await client.get(f"/zim/esims/{esims[0]['id']}", headers=zim_headers)
    assert one.json() == esims[0]
    subscriptions = (await client.get("/zim/subscriptions/", headers=zim_headers)).json()
    assert {s["esimID"] for s in subscriptions} == {e["id"] for e in esims}
    nope = await client.get("/zim/esims/esim_nope", headers=zim_headers)
    assert nope.status_code == 404


async def test_the_per_esim_rate_limit_answers_429_with_the_seconds_left(
    client: httpx2.AsyncClient, pressone_headers: dict[str, str], sandbox: Sandbox
) -> None:
    clock = FakeClock()
    sandbox.clock = clock
    sandbox.config.esim_rate_limit = 2
    iccid = _issued(sandbox).iccids[0]
    url = f"{SIMS}/{iccid}/usage"
    assert [(await client.get(url, headers=pressone_headers)).status_code for _ in "ab"] == [
        200,
        200,
    ]
    clock.now += 20
    limited = await client.get(url, headers=pressone_headers)
    assert limited.status_code == 429 and limited.json() == {"message": "Too Many Attempts."}
    assert (
        limited.headers["retry-after"] == "40" and limited.headers["x-ratelimit-remaining"] == "0"
    )
    other = await client.get(f"{SIMS}/{iccid}/packages", headers=pressone_headers)
    assert other.status_code == 200  # per eSIM and endpoint
    clock.now += 41
    assert (await client.get(url, headers=pressone_headers)).status_code == 200
    assert sandbox.stats.esim_rate_limited["pressone"] == 1


def test_every_state_is_reached_and_the_same_on_every_build() -> None:
    # 60 orders a provider, as the MCP tests' sandbox: enough eSIMs for every state.
    config = SandboxConfig(now=NOW, orders=60)
    first, second = create_app(config).state.sandbox, create_app(config).state.sandbox
    now_s = int(NOW.timestamp())
    scenarios = {i.scenario for i in index_esims(first.data.pressone, now_s).values()}
    assert set(PRESSONE_STATUS) <= scenarios
    objects = esim_objects(first.data.zim, now_s * 1000)
    assert set(ZIM_STATUS.values()) <= {e["status"] for e in objects.values()}
    assert objects == esim_objects(second.data.zim, now_s * 1000)
    again = index_esims(second.data.pressone, now_s)
    assert {k: v.scenario for k, v in again.items()} == {
        k: v.scenario for k, v in index_esims(first.data.pressone, now_s).items()
    }
