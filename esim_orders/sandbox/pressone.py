"""PressOne's wire format: the Airalo Partner API v2 shapes behind PressOne's own envelope."""

from __future__ import annotations

import math
import random
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from esim_orders.sandbox.faults import guarded
from esim_orders.sandbox.pressone_data import (
    PRESSONE_STATUS_NAMES,
    PressOneData,
    PressOneOrder,
    pressone_time,
)
from esim_orders.sandbox.state import Sandbox

PROVIDER = "pressone"
TOKEN_PATH = "/customer/v2/token"
ORDERS_PATH = "/customer/v2/orders"
ORDER_PATH = "/customer/v2/orders/{id}"

#: Page size when ``limit`` is absent: the value PressOne's own request example uses.
DEFAULT_LIMIT = 50
INCLUDES = ("sims", "user", "status")
TEXT_FILTERS = ("code", "iccid", "description")
FILTERS = frozenset({"created_at", "order_status", *TEXT_FILTERS})
GUIDE_URL = "https://esim.pressone.example/help/installing-an-esim?lang=en"
QR_URL = "https://esim.pressone.example/qr"

# Digits only, and few enough that int() never meets Python's huge-number guard.
_POSITIVE_INT = re.compile(r"[0-9]{1,18}")
_DATE_RANGE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})\s*-\s*(\d{4}-\d{2}-\d{2})\s*")
_FILTER_KEY = re.compile(r"filter\[([^\]]*)\]")
_MATCHING_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
#: Distinct filter combinations whose matches are kept, so paging through a filtered
#: result of 100,000 orders does not rescan them for every page.
_FILTER_CACHE_SIZE = 32

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


@dataclass(frozen=True)
class OrderQuery:
    """A validated order list query."""

    includes: tuple[str, ...]
    created: tuple[int, int] | None  # epoch seconds: from (inclusive), until (exclusive)
    code: str | None
    order_status: str | None
    iccid: str | None
    description: str | None
    limit: int
    page: int

    @property
    def filter_key(self) -> tuple[Any, ...]:
        return (
            self.created,
            self.code,
            self.order_status,
            self.iccid,
            self.description,
        )


def _positive_int(raw: str | None, default: int) -> int | None:
    if raw is None or raw == "":
        return default
    if not _POSITIVE_INT.fullmatch(raw) or int(raw) < 1:
        return None
    return int(raw)


def parse_includes(params: QueryParams) -> tuple[str, ...] | None:
    """The asked relations; None when one is unknown (upstream rejects those)."""
    raw = params.get("include") or ""
    names = tuple(name.strip() for name in raw.split(",") if name.strip())
    return names if all(name in INCLUDES for name in names) else None


def _day_start(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def parse_order_query(params: QueryParams) -> OrderQuery | None:
    """Validate the list query as the upstream does; None means answer 4008."""
    includes = parse_includes(params)
    filters: dict[str, str] = {}
    for key, value in params.multi_items():
        match = _FILTER_KEY.fullmatch(key)
        if match is None:
            continue
        if match.group(1) not in FILTERS:
            return None
        if value.strip():  # an empty filter is no filter, as in Laravel's query builder
            filters[match.group(1)] = value.strip()
    limit = _positive_int(params.get("limit"), DEFAULT_LIMIT)
    page = _positive_int(params.get("page"), 1)
    if includes is None or limit is None or page is None:
        return None
    created = None
    if "created_at" in filters:
        match = _DATE_RANGE.fullmatch(filters["created_at"])
        if match is None:
            return None
        try:
            first, last = (date.fromisoformat(group) for group in match.groups())
        except ValueError:
            return None
        if first > last:
            return None
        # Both days are inclusive: the window ends at the start of the day after the last
        # (counted in seconds: the day after 9999-12-31 is no `date`).
        created = (_day_start(first), _day_start(last) + 86400)
    return OrderQuery(
        includes=includes,
        created=created,
        code=filters.get("code", "").lower() or None,
        order_status=filters.get("order_status", "").lower() or None,
        iccid=filters.get("iccid", "").lower() or None,
        description=filters.get("description", "").lower() or None,
        limit=limit,
        page=page,
    )


def _matches(order: PressOneOrder, query: OrderQuery) -> bool:
    if query.created is not None and not query.created[0] <= order.created < query.created[1]:
        return False
    if query.code is not None and query.code not in order.code.lower():
        return False
    if query.order_status is not None and order.status != query.order_status:
        return False
    if query.iccid is not None and not any(query.iccid in iccid for iccid in order.iccids):
        return False
    return query.description is None or (
        order.description is not None and query.description in order.description.lower()
    )


class OrderFinder:
    """Filters orders, remembering the last few filter combinations' matches."""

    def __init__(self, data: PressOneData) -> None:
        self.data = data
        self._cache: OrderedDict[tuple[Any, ...], list[PressOneOrder]] = OrderedDict()

    def find(self, query: OrderQuery) -> list[PressOneOrder]:
        key = query.filter_key
        if not any(part is not None for part in key):
            return self.data.orders
        found = self._cache.get(key)
        if found is None:
            found = [order for order in self.data.orders if _matches(order, query)]
            self._cache[key] = found
            if len(self._cache) > _FILTER_CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return found


def paginate(
    data: PressOneData, found: list[PressOneOrder], query: OrderQuery, cap: int, path: str
) -> dict[str, Any]:
    """The Laravel paginator body; links carry only ``page``, as the upstream's do."""
    per_page = min(query.limit, cap)
    total = len(found)
    last_page = max(1, math.ceil(total / per_page))
    start = (query.page - 1) * per_page
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


def pressone_routes(sandbox: Sandbox) -> list[Route]:
    """PressOne's routes, relative to wherever the app mounts them."""
    data = sandbox.data.pressone
    finder = OrderFinder(data)

    def success(body: dict[str, Any]) -> Response:
        envelope = sandbox.config.pressone_envelope
        if envelope != "bare":
            body = {
                "success": True,
                "code": "2000",
                "message": "success",
                "data": body if envelope == "wrapped" else body["data"],
                "timestamp": timestamp(),
            }
        return JSONResponse(body)

    def authorized(request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and sandbox.token_valid(PROVIDER, token.strip()):
            return True
        sandbox.stats.unauthorized[PROVIDER] += 1
        return False

    async def token(request: Request) -> Response:
        """Client credentials grant, answered in the upstream's data/meta shape."""
        form = await request.form()
        grant_type = form.get("grant_type")
        if (
            form.get("client_id") != sandbox.config.client_id
            or form.get("client_secret") != sandbox.config.client_secret
        ):
            return error(401, "4010", "Invalid client credentials")
        if grant_type != "client_credentials":
            return validation_failed()
        ttl = sandbox.config.pressone_token_ttl_s
        access_token = sandbox.issue_token(PROVIDER, ttl)
        return success(
            {
                "data": {"token_type": "Bearer", "expires_in": ttl, "access_token": access_token},
                "meta": {"message": "success"},
            }
        )

    async def list_orders(request: Request) -> Response:
        """Filtered, newest-first order list in the Laravel paginator's layout."""
        if not authorized(request):
            return error(401, "4010", "Unauthenticated.")
        query = parse_order_query(request.query_params)
        if query is None:
            return validation_failed()
        path = str(request.url.replace(query=""))
        found = finder.find(query)
        return success(paginate(data, found, query, sandbox.config.pressone_page_cap, path))

    async def get_order(request: Request) -> Response:
        """One order by its integer id."""
        if not authorized(request):
            return error(401, "4010", "Unauthenticated.")
        includes = parse_includes(request.query_params)
        if includes is None:
            return validation_failed()
        raw_id = request.path_params["id"]
        order = data.by_id.get(int(raw_id)) if _POSITIVE_INT.fullmatch(raw_id) else None
        if order is None:
            return error(404, "4004", "Order not found")
        return success(
            {"data": render_order(data, order, includes), "meta": {"message": "success"}}
        )

    def route(path: str, endpoint: Any, method: str, *, token_endpoint: bool = False) -> Route:
        wrapped = guarded(
            sandbox, PROVIDER, path, fault_error, endpoint, token_endpoint=token_endpoint
        )
        return Route(path, wrapped, methods=[method])

    return [
        route(TOKEN_PATH, token, "POST", token_endpoint=True),
        route(ORDERS_PATH, list_orders, "GET"),
        route(ORDER_PATH, get_order, "GET"),
    ]
