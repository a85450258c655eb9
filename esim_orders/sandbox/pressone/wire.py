"""How PressOne's bodies look: orders, eSIMs, the paginator and the gateway's envelopes."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from starlette.responses import JSONResponse, Response

from esim_orders.sandbox.pressone.query import OrderQuery
from esim_orders.sandbox.pressone_data import (
    PRESSONE_STATUS_NAMES,
    PressOneData,
    PressOneOrder,
    pressone_time,
)

GUIDE_URL = "https://esim.pressone.example/help/installing-an-esim?lang=en"
QR_URL = "https://esim.pressone.example/qr"

_MATCHING_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

# PressOne's code table is not public; these strings are opaque, as the notes warn.
_FAULT_ERRORS = {
    "429": (429, "4029", "Too Many Attempts."),
    "429-no-retry-after": (429, "4029", "Too Many Attempts."),
    "500": (500, "5000", "Server Error"),
    "502": (502, "5002", "Bad Gateway"),
    "503": (503, "5003", "Service Unavailable"),
}


def timestamp() -> str:
    """The envelope's timestamp: now, ISO 8601 with milliseconds and Z."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def success(body: dict[str, Any], envelope: Literal["bare", "wrapped", "wrapped-data"]) -> Response:
    """A successful answer: the upstream body as is, or in the gateway's envelope (the body
    whole, or only its `data`), as the ``pressone_envelope`` knob says."""
    if envelope != "bare":
        body = {
            "success": True,
            "code": "2000",
            "message": "success",
            "data": body if envelope == "wrapped" else body["data"],
            "timestamp": timestamp(),
        }
    return JSONResponse(body)


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """PressOne's gateway error envelope."""
    body = {
        "success": False,
        "code": code,
        "message": message,
        "data": None,
        "timestamp": timestamp(),
    }
    return JSONResponse(body, status_code=status, headers=headers)


def fault_error(kind: str) -> Response:
    """PressOne's answer for an injected error fault, with Laravel's throttle headers."""
    status, code, message = _FAULT_ERRORS[kind]
    headers = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0"} if status == 429 else {}
    if kind == "429":
        headers["Retry-After"] = "1"
    return error(status, code, message, headers)


def validation_failed() -> Response:
    """What the gateway answers for any malformed parameter: it does not say which."""
    return error(422, "4008", "Validation failed")


def render_sims(data: PressOneData, order: PressOneOrder) -> list[dict[str, Any]]:
    """The order's eSIMs; secondary fields come from the order's own seed, so they are
    stable across requests without being stored."""
    operator = data.packages[order.package].operator
    rng = random.Random(order.detail_seed)
    sims = []
    for offset, iccid in enumerate(order.iccids):
        parts = ("".join(rng.choices(_MATCHING_CHARS, k=k)) for k in (2, 6, 7))
        matching_id = "-".join(parts)
        sim_id = order.first_sim_id + offset
        signature = f"{rng.getrandbits(128):032x}"
        # Both drawn every time, so each sim consumes the same draws whatever the outcome.
        needs_code = rng.random() < 0.08
        code = f"{rng.randrange(10**4):04d}"
        sims.append(
            {
                "id": sim_id,
                "created_at": pressone_time(order.created + 1 + offset),
                "iccid": iccid,
                "lpa": operator.smdp,
                "imsis": None,
                "matching_id": matching_id,
                "qrcode": f"LPA:1${operator.smdp}${matching_id}",
                "qrcode_url": f"{QR_URL}?id={sim_id}&signature={signature}",
                "apn_type": operator.apn_type,
                "apn_value": operator.apn_value,
                "is_roaming": operator.is_roaming,
                "confirmation_code": code if needs_code else None,
            }
        )
    return sims


def render_order(
    data: PressOneData, order: PressOneOrder, includes: Sequence[str]
) -> dict[str, Any]:
    """One ORDER as the upstream sends it; ``includes`` adds only the relations asked for."""
    package = data.packages[order.package]
    body: dict[str, Any] = {
        "id": order.id,
        "code": order.code,
        "created_at": pressone_time(order.created),
        "description": order.description,
        "type": order.type,
        "package_id": package.id,
        "package": package.name,
        "quantity": order.quantity,
        "esim_type": "Prepaid",
        "validity": str(package.size.days),
        "data": package.size.data,
        "price": order.price,
        "currency": order.currency,
        "manual_installation": package.manual_installation,
        "qrcode_installation": package.qrcode_installation,
        "installation_guides": {"en": GUIDE_URL},
    }
    if "sims" in includes:
        body["sims"] = render_sims(data, order)
    if "user" in includes:
        body["user"] = data.users[order.user]
    if "status" in includes:
        body["status"] = {"name": PRESSONE_STATUS_NAMES[order.status], "slug": order.status}
    return body


def paginate(
    data: PressOneData,
    found: list[PressOneOrder],
    query: OrderQuery,
    cap: int,
    path: str,
    *,
    oldest_first: bool = False,
) -> dict[str, Any]:
    """The Laravel paginator body; links carry only ``page``, as the upstream's do.

    ``found`` is newest first; ``oldest_first`` serves it the other way round, page 1
    starting with the oldest order, without copying the list.
    """
    per_page = min(query.limit, cap)
    total = len(found)
    last_page = max(1, math.ceil(total / per_page))
    start = (query.page - 1) * per_page
    if oldest_first:
        # Rows start..start+per_page of the reversed list, read from the far end of `found`.
        end = max(0, total - start)
        window = found[max(0, end - per_page) : end][::-1]
    else:
        window = found[start : start + per_page]
    return {
        "data": [render_order(data, order, query.includes) for order in window],
        "links": {
            "first": f"{path}?page=1",
            "last": f"{path}?page={last_page}",
            "prev": f"{path}?page={query.page - 1}" if query.page > 1 else None,
            "next": f"{path}?page={query.page + 1}" if query.page < last_page else None,
        },
        "meta": {
            "message": "success",
            "current_page": query.page,
            "from": start + 1 if window else None,
            "last_page": last_page,
            "path": path,
            "per_page": str(per_page),
            "to": start + len(window) if window else None,
            "total": total,
        },
    }
