"""PressOne's eSIM endpoints: one eSIM's record, usage and package history, in the upstream's
shapes (Airalo Partner API v2), each behind the per-ICCID rate limit and the faults."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from esim_orders.sandbox.esim_data import PRESSONE_STATUS, Candidate, pressone_scenarios
from esim_orders.sandbox.generation import DAY
from esim_orders.sandbox.pressone.wire import render_sims
from esim_orders.sandbox.pressone_data import PressOneData, PressOneOrder, pressone_time
from esim_orders.sandbox.state import Sandbox

SIM_PATH = "/customer/v2/sims/{iccid}"
USAGE_PATH = SIM_PATH + "/usage"
PACKAGES_PATH = SIM_PATH + "/packages"
APPLE_URL = "https://esim.pressone.example/apple-install"

_MB = {"GB": 1024, "MB": 1}


@dataclass(frozen=True)
class Issued:
    """One issued eSIM: its order, its place in the order's sims, and its scenario."""

    order: PressOneOrder
    offset: int
    scenario: str
    topups: tuple[PressOneOrder, ...]


def index_esims(data: PressOneData, now_s: int) -> dict[str, Issued]:
    """Every issued ICCID with its scenario; completed orders newest first choose first."""
    topups: dict[str, list[PressOneOrder]] = {}
    for order in data.orders:
        said = order.description or ""
        if order.type == "topup" and order.status == "completed" and said.startswith("Top-up for "):
            topups.setdefault(said.removeprefix("Top-up for ").strip(), []).append(order)
    candidates = []
    for order in data.orders:
        if order.status != "completed":
            continue
        package = data.packages[order.package]
        for iccid in order.iccids:
            candidates.append(
                Candidate(
                    key=iccid,
                    age_s=now_s - order.created,
                    manual_apn=package.operator.apn_type == "manual",
                    validity_days=package.size.days,
                    unlimited=package.size.slug == "unlimited",
                )
            )
    scenarios = pressone_scenarios(candidates)
    found = {}
    for order in data.orders:
        for offset, iccid in enumerate(order.iccids):
            found[iccid] = Issued(
                order,
                offset,
                scenarios.get(iccid, "active"),
                # Generation may date a top-up before its eSIM: only later ones count.
                tuple(
                    sorted(
                        (t for t in topups.get(iccid, []) if t.created > order.created),
                        key=lambda t: t.created,
                    )
                ),
            )
    return found


def _megabytes(label: str) -> int | None:
    number, _, unit = label.partition(" ")
    per = _MB.get(unit.strip().upper())
    return int(float(number) * per) if per and number.replace(".", "").isdigit() else None


def _iso(epoch_s: int) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")


def usage_body(data: PressOneData, issued: Issued, now_s: int) -> dict[str, Any]:
    """`GET .../usage`: MB left of the package, its status, `expired_at` zoneless UTC."""
    status = PRESSONE_STATUS[issued.scenario]
    if status == "RECYCLED":
        numbers = dict.fromkeys(
            (
                "remaining",
                "total",
                "remaining_voice",
                "remaining_text",
                "total_voice",
                "total_text",
            ),
            0,
        )
        return {"data": {**numbers, "expired_at": None, "is_unlimited": None, "status": status}}
    package = data.packages[issued.order.package]
    unlimited = package.size.slug == "unlimited"
    total = 0 if unlimited else (_megabytes(package.size.data) or 0)
    total += sum(_megabytes(data.packages[t.package].size.data) or 0 for t in issued.topups)
    rng = random.Random(f"usage:{issued.order.iccids[issued.offset]}")
    remaining = {
        "FINISHED": 0,
        "NOT_ACTIVE": total,
        "EXPIRED": int(total * rng.random() * 0.5),
    }.get(status, int(total * (0.1 + 0.8 * rng.random())))
    if issued.scenario == "manual_apn":
        remaining = total
    if unlimited:
        total = remaining = 0
    start = issued.order.created + 3600
    expires = start + package.size.days * DAY
    if status == "EXPIRED":
        expires = min(expires, now_s - 3600)
    elif status == "ACTIVE":
        expires = max(expires, now_s + 2 * DAY)  # in use, so still valid
    return {
        "data": {
            "remaining": remaining,
            "total": total,
            "expired_at": None if status == "NOT_ACTIVE" else pressone_time(expires),
            "is_unlimited": unlimited,
            "status": status,
            "remaining_voice": 0,
            "remaining_text": 0,
            "total_voice": 0,
            "total_text": 0,
        },
        "meta": {"message": "success" if rng.random() < 0.7 else "api.succes"},
    }


def packages_body(data: PressOneData, issued: Issued) -> dict[str, Any]:
    """`GET .../packages`: the first package and each top-up, ISO times with offsets."""
    rows = []
    status = PRESSONE_STATUS[issued.scenario]
    for number, order in enumerate((issued.order, *issued.topups)):
        package = data.packages[order.package]
        activated = None if status == "NOT_ACTIVE" else order.created + 3600
        rows.append(
            {
                "id": 700 + order.id % 10_000 + number,
                "status": status if number == 0 else "ACTIVE",
                "remaining": _megabytes(package.size.data),
                "activated_at": _iso(activated) if activated else None,
                "expired_at": _iso(activated + package.size.days * DAY) if activated else None,
                "finished_at": None,
                "package": {
                    "id": package.id + ("-topup" if number else ""),
                    "type": "topup" if number else "sim",
                    "amount": _megabytes(package.size.data) or 0,
                    "day": package.size.days,
                    "is_unlimited": package.size.slug == "unlimited",
                    "title": f"{package.size.data} - {package.size.days} Days",
                    "data": package.size.data,
                },
            }
        )
    return {"pricing": {"model": "net_pricing", "currency": "USD"}, "data": rows}


def record_body(data: PressOneData, issued: Issued, now_s: int) -> dict[str, Any]:
    """`GET /customer/v2/sims/{iccid}`: the sim as in its order, plus recycling and the order."""
    sim = render_sims(data, issued.order)[issued.offset]
    recycled = issued.scenario == "recycled"
    order = issued.order
    sim |= {
        "recycled": recycled,
        "recycled_at": pressone_time(now_s - 2 * DAY) if recycled else None,
        "brand_settings_name": None,
        "direct_apple_installation_url": f"{APPLE_URL}?carddata={sim['matching_id']}",
        "simable": {"id": order.id, "code": order.code, "type": order.type},
    }
    return {"data": sim, "meta": {"message": "success"}}


def not_found() -> Response:
    return JSONResponse(
        {"data": [], "meta": {"message": "messages.resource_not_found"}}, status_code=404
    )


def too_many(retry_after: int, limit: int) -> Response:
    """The upstream throttle's answer: no envelope, Laravel's headers."""
    return JSONResponse(
        {"message": "Too Many Attempts."},
        status_code=429,
        headers={
            "Retry-After": str(retry_after),
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
        },
    )


def esim_endpoints(
    sandbox: Sandbox,
    provider: str,
    authorized: Callable[[Request], bool],
    unauthorized: Callable[[], Response],
    answer: Callable[[dict[str, Any]], Response],
) -> list[tuple[str, Callable[[Request], Any]]]:
    """(path, endpoint) for the three eSIM routes, over the sandbox's data."""
    data = sandbox.data.pressone
    now_s = int(sandbox.now.timestamp())
    issued_by_iccid: dict[str, Issued] = {}

    def endpoint(path: str, body: Callable[[Issued], dict[str, Any]]) -> Callable[..., Any]:
        async def serve(request: Request) -> Response:
            if not authorized(request):
                return unauthorized()
            iccid = request.path_params["iccid"]
            wait = sandbox.esim_retry_after(provider, path, iccid)
            if wait is not None:
                return too_many(wait, sandbox.config.esim_rate_limit or 0)
            if not issued_by_iccid:
                issued_by_iccid.update(index_esims(data, now_s))
            issued = issued_by_iccid.get(iccid)
            if issued is None:
                return not_found()
            return answer(body(issued))

        serve.__name__ = "esim_" + path.rsplit("/", 1)[-1].strip("{}")
        return serve

    return [
        (SIM_PATH, endpoint(SIM_PATH, lambda i: record_body(data, i, now_s))),
        (USAGE_PATH, endpoint(USAGE_PATH, lambda i: usage_body(data, i, now_s))),
        (PACKAGES_PATH, endpoint(PACKAGES_PATH, lambda i: packages_body(data, i))),
    ]
