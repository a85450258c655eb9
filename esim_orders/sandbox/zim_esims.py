"""Zim's eSIM endpoints: `GET /esims/{esimID}`, the `/esims` list and `GET /subscriptions/`,
in the documented shapes: bare objects and arrays, `iccid` and `msisdn` as bare JSON numbers
(up to 20 digits, beyond what a float holds)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from esim_orders.sandbox.esim_data import Candidate, zim_scenarios, zim_status
from esim_orders.sandbox.pressone_data import luhn_digit
from esim_orders.sandbox.state import Sandbox
from esim_orders.sandbox.zim_data import ZimData

ESIM_PATH = "/esims/{id}"
ESIMS_PATH = "/esims"
SUBSCRIPTIONS_PATH = "/subscriptions/"
SMDP = "smdp.zim-rsp.example"


def esim_objects(data: ZimData, now_ms: int) -> dict[str, dict[str, Any]]:
    """Every eSIM a subscription names, by id; fulfilled orders newest first choose states."""
    with_subscription = sorted(
        (o for o in data.orders if o.subscription is not None),
        key=lambda o: (-o.created_ms, o.id),
    )
    scenarios = zim_scenarios(
        Candidate(
            key=o.subscription.esim_id,
            age_s=(now_ms - o.created_ms) // 1000,
            subscription=o.subscription.status,
        )
        for o in with_subscription
        if o.status == "FULFILLED" and o.subscription is not None
    )
    objects = {}
    for order in with_subscription:
        assert order.subscription is not None
        esim_id = order.subscription.esim_id
        status = zim_status(scenarios.get(esim_id, "DISABLED"))
        objects[esim_id] = esim_object(esim_id, status)
    return objects


def esim_object(esim_id: str, status: str) -> dict[str, Any]:
    """One eSIM: numbers derived from its id, so they are stable without being stored."""
    rng = random.Random(f"zim-esim:{esim_id}")
    # One in five has a 20-digit ICCID: above 2**64, where a float or int64 reader loses it.
    body = "89" + f"{rng.getrandbits(64) % 10**17:017d}" if rng.random() < 0.2 else ""
    if not body:
        body = "8944" + f"{rng.getrandbits(64) % 10**14:014d}"
    matching = "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=24))
    return {
        "id": esim_id,
        "iccid": int(body + luhn_digit(body)),
        "matchingID": matching,
        "smdpPlus": SMDP,
        "msisdn": int(f"4474{rng.randrange(10**8):08d}"),
        "status": status,
        "qrCodeLink": f"https://qr.zim-rsp.example/{matching}.png",
    }


def subscription_rows(data: ZimData) -> list[dict[str, Any]]:
    return [
        {
            "id": o.subscription.id,
            "esimID": o.subscription.esim_id,
            "plan": data.plans[o.subscription.plan],
            "status": o.subscription.status,
        }
        for o in data.orders
        if o.subscription is not None
    ]


def esim_endpoints(
    sandbox: Sandbox, provider: str, refusal: Callable[[Request], Response | None]
) -> list[tuple[str, Callable[[Request], Any]]]:
    """(path, endpoint) for Zim's eSIM and subscription routes."""
    data = sandbox.data.zim
    now_ms = int(sandbox.now.timestamp() * 1000)
    objects: dict[str, dict[str, Any]] = {}

    def known() -> dict[str, dict[str, Any]]:
        if not objects:
            objects.update(esim_objects(data, now_ms))
        return objects

    async def one(request: Request) -> Response:
        """One eSIM object by id, behind the per-eSIM rate limit."""
        refused = refusal(request)
        if refused is not None:
            return refused
        esim_id = request.path_params["id"]
        wait = sandbox.esim_retry_after(provider, ESIM_PATH, esim_id)
        if wait is not None:
            return JSONResponse(
                {"message": "Too Many Requests"},
                status_code=429,
                headers={"Retry-After": str(wait)},
            )
        found = known().get(esim_id)
        if found is None:
            return JSONResponse({"message": "eSIM not found"}, status_code=404)
        return JSONResponse(found)

    async def listed(request: Request) -> Response:
        """Every eSIM of the account as a bare array."""
        refused = refusal(request)
        return refused or JSONResponse(list(known().values()))

    async def subscriptions(request: Request) -> Response:
        """Every subscription of the account as a bare array."""
        refused = refusal(request)
        return refused or JSONResponse(subscription_rows(data))

    return [(ESIM_PATH, one), (ESIMS_PATH, listed), (SUBSCRIPTIONS_PATH, subscriptions)]
