"""The eSIM reads: what a get_esim answer costs a model's context against the providers' own
JSON for the same eSIM, and how long explain_failure takes on a completed order against one
concurrent round of the three PressOne reads it needs (record, usage, packages).

    python -m benchmarks --only esims
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx2

from esim_orders.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, in_process_transport
from esim_orders.sandbox.pressone.esims import PACKAGES_PATH, SIM_PATH, USAGE_PATH
from esim_orders.service.wiring import open_service
from esim_orders.tools import explain_failure

from .harness import Result, ainterleave, at_most, median, say, timed
from .inprocess import SETTINGS, connected, sandbox_app

SAMPLES = 20
LATENCY_MS = 50
ROUNDS = 25
WARMUP = 3
ORIGIN = "http://sandbox.invalid"


def run() -> list[Result]:
    return anyio.run(_measure)


async def _measure() -> list[Result]:
    return [*await _sizes(), await _latency()]


def _compact(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


async def _token(http: httpx2.AsyncClient, provider: str) -> dict[str, str]:
    form = {
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "grant_type": "client_credentials",
    }
    if provider == "pressone":
        answer = await http.post(f"{ORIGIN}/pressone/customer/v2/token", data=form)
        return {"Authorization": f"Bearer {answer.json()['data']['access_token']}"}
    answer = await http.post(f"{ORIGIN}/zim/oauth2/token", data=form)
    return {"Authorization": f"Bearer {answer.json()['access_token']}", "X-App-Identifier": "b2b"}


async def _sizes() -> list[Result]:
    """get_esim's text per eSIM against the provider's JSON for it, each provider apart."""
    app = sandbox_app()
    app.state.sandbox.config.esim_rate_limit = None  # the raw side reads each eSIM again
    data = app.state.sandbox.data
    pressone = [o for o in data.pressone.orders if o.status == "completed" and len(o.iccids) == 1]
    zim = [o for o in data.zim.orders if o.status == "FULFILLED" and o.subscription]
    ours: dict[str, int] = {"pressone": 0, "zim": 0}
    raw: dict[str, int] = {"pressone": 0, "zim": 0}
    async with (
        connected(app) as client,
        httpx2.AsyncClient(transport=in_process_transport(app)) as http,
    ):
        bearer = {p: await _token(http, p) for p in ("pressone", "zim")}
        subscriptions = await http.get(f"{ORIGIN}/zim/subscriptions/", headers=bearer["zim"])
        all_subscriptions = subscriptions.json()
        for provider, orders in (("pressone", pressone[:SAMPLES]), ("zim", zim[:SAMPLES])):
            for order in orders:
                result = await client.call_tool("get_esim", {"ref": f"{provider}:{order.id}"})
                text = "".join(b.text for b in result.content if b.type == "text")
                ours[provider] += len(text.encode())
                if provider == "pressone":
                    for path in (SIM_PATH, USAGE_PATH, PACKAGES_PATH):
                        url = f"{ORIGIN}/pressone" + path.format(iccid=order.iccids[0])
                        raw[provider] += _compact(
                            (await http.get(url, headers=bearer[provider])).json()
                        )
                else:
                    esim_id = order.subscription.esim_id
                    url = f"{ORIGIN}/zim/esims/{esim_id}"
                    raw[provider] += _compact(
                        (await http.get(url, headers=bearer[provider])).json()
                    )
                    raw[provider] += _compact(
                        [s for s in all_subscriptions if s["esimID"] == esim_id]
                    )
    return [
        Result.of(
            f"text bytes of a get_esim answer, {name}",
            ours[provider] / SAMPLES,
            raw[provider] / SAMPLES,
            "bytes",
            at_most(0.3),
            f"mean over {SAMPLES} eSIMs of completed orders; the provider's JSON for the same "
            f"eSIM as compact JSON: {what}",
        )
        for provider, name, what in (
            ("pressone", "PressOne", "its record, usage and package history"),
            ("zim", "Zim", "its eSIM object and the subscriptions naming it"),
        )
    ]


async def _latency() -> Result:
    """explain_failure on a completed PressOne order (the order already read, its eSIMs
    not), against one concurrent round of the three raw reads of another eSIM.

    The tool function is timed, as every face calls it: what it adds over the round is the
    provider reads not made at once, the diagnosis and the rendering. The MCP layer's own
    cost per call (a constant, about 10 ms in process for an answer this size, half of it
    the client validating the structured content) is what bench_latency measures.
    """
    app = sandbox_app()
    config = app.state.sandbox.config
    config.esim_rate_limit = None
    data = app.state.sandbox.data
    orders = [o for o in data.pressone.orders if o.status == "completed" and len(o.iccids) == 1]
    needed = 2 * (ROUNDS + WARMUP)
    if len(orders) < needed:
        raise RuntimeError(f"need {needed} completed single-eSIM orders, have {len(orders)}")
    ours_orders, raw_orders = iter(orders[::2]), iter(orders[1::2])
    async with (
        open_service(SETTINGS, sandbox_app=app) as service,
        httpx2.AsyncClient(transport=in_process_transport(app)) as http,
    ):
        bearer = await _token(http, "pressone")
        # Warm the token and read every order once (a finished order stays in memory), so
        # each measured call pays only for its eSIM's reads, as when support opens an order
        # and then asks why its customer has no service.
        for order in orders[:needed]:
            await service.get_order(f"pressone:{order.id}")
        config.latency_ms = LATENCY_MS

        async def explain() -> float:
            ref = f"pressone:{next(ours_orders).id}"
            return await timed(lambda: explain_failure(service, ref=ref))

        async def one_round() -> float:
            iccid = next(raw_orders).iccids[0]

            async def read(path: str) -> None:
                url = f"{ORIGIN}/pressone" + path.format(iccid=iccid)
                (await http.get(url, headers=bearer)).raise_for_status()

            async def read_all() -> None:
                async with anyio.create_task_group() as group:
                    for path in (SIM_PATH, USAGE_PATH, PACKAGES_PATH):
                        group.start_soon(read, path)

            return await timed(read_all)

        calls = {"explain": explain, "round": one_round}
        await ainterleave(calls, WARMUP)
        say(f"  explain_failure: {ROUNDS} interleaved rounds at {LATENCY_MS} ms provider latency")
        samples = await ainterleave(calls, ROUNDS)
    return Result.of(
        f"explain_failure on a completed order, provider {LATENCY_MS} ms",
        median(samples["explain"]) * 1000,
        median(samples["round"]) * 1000,
        "ms",
        at_most(1.2),
        f"median of {ROUNDS}, interleaved, PressOne in process; the explain_failure tool "
        "function, the order already read, each call a different eSIM (no cache answers); "
        "the baseline is one concurrent round of the eSIM's record, usage and package history",
    )


if __name__ == "__main__":
    for r in run():
        print(r)
