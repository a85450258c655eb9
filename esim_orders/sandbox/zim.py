"""Zim Connections' wire format: an OAuth2 token endpoint, bare-array order endpoints, and the
eSIM and subscription endpoints (`zim_esims`)."""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from esim_orders.sandbox.config import SANDBOX_APP_IDENTIFIER
from esim_orders.sandbox.faults import route_maker
from esim_orders.sandbox.state import Sandbox
from esim_orders.sandbox.zim_data import ZimData, ZimOrder
from esim_orders.sandbox.zim_esims import esim_endpoints

PROVIDER = "zim"
TOKEN_PATH = "/oauth2/token"
ORDERS_PATH = "/orders"
ORDER_PATH = "/orders/{id}"
APP_IDENTIFIER = SANDBOX_APP_IDENTIFIER

# Zim documents no error bodies; these mimic the API gateway such an API usually sits
# behind, with one plain-text answer so clients meet a non-JSON error too.
_FAULT_ERRORS: dict[str, tuple[int, Any]] = {
    "429": (429, {"message": "Too Many Requests"}),
    "429-no-retry-after": (429, {"message": "Too Many Requests"}),
    "500": (500, {"message": "Internal server error"}),
    "502": (502, "Bad Gateway"),
    "503": (503, {"message": "Service Unavailable"}),
}


def fault_error(kind: str) -> Response:
    """Zim's answer for an injected error fault."""
    status, body = _FAULT_ERRORS[kind]
    headers = {"Retry-After": "1"} if kind == "429" else None
    if isinstance(body, str):
        return PlainTextResponse(body, status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def iso_ms(epoch_ms: int) -> str:
    """Zim's timestamp: ISO 8601 UTC with milliseconds and Z."""
    seconds, millis = divmod(epoch_ms, 1000)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds))}.{millis:03d}Z"


def render_order(data: ZimData, order: ZimOrder) -> dict[str, Any]:
    """One order with only the fields it has: Zim omits, rather than nulls, absent ones."""
    body: dict[str, Any] = {
        "id": order.id,
        "status": order.status,
        "accountID": order.account_id,
        "planID": order.plan_id,
        "userID": order.user_id,
        "type": order.type,
    }
    if order.payment_id is not None:
        body["paymentID"] = order.payment_id
    if order.payment_reference is not None:
        body["paymentReference"] = order.payment_reference
    if order.notify_recipient is not None:
        body["notifyRecipient"] = order.notify_recipient
    if order.failure_reason is not None:
        body["failureReason"] = order.failure_reason
    if order.plan >= 0:
        body["plan"] = data.plans[order.plan]
    if order.subscription is not None:
        subscription = order.subscription
        body["subscription"] = {
            "id": subscription.id,
            "esimID": subscription.esim_id,
            "plan": data.plans[subscription.plan],
            "status": subscription.status,
        }
    body["createdAt"] = iso_ms(order.created_ms)
    body["updatedAt"] = iso_ms(order.updated_ms)
    return body


def encode_orders(data: ZimData) -> bytes:
    """The whole order list as JSON, encoded the way Starlette's JSONResponse encodes."""
    return json.dumps(
        [render_order(data, order) for order in data.orders],
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    ).encode("utf-8")


def _client_credentials(request: Request, form: Any) -> tuple[str | None, str | None, bool]:
    """(client_id, client_secret, came_by_basic_auth), from Basic auth or the form."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None, True
        client_id, _, secret = decoded.partition(":")
        # RFC 6749 2.3.1: both parts are form-urlencoded before joining.
        return unquote(client_id), unquote(secret), True
    return form.get("client_id"), form.get("client_secret"), False


def zim_routes(sandbox: Sandbox) -> list[Route]:
    """Zim's routes (token endpoint included), relative to wherever the app mounts them."""
    data = sandbox.data.zim
    # The data never changes once generated, and encoding 100,000 orders takes seconds:
    # encode the list on first request and serve those bytes from then on.
    list_body: bytes | None = None

    async def token(request: Request) -> Response:
        """OAuth2 client credentials grant (RFC 6749 4.4)."""
        form = await request.form()
        client_id, secret, basic = _client_credentials(request, form)
        if client_id != sandbox.config.client_id or secret != sandbox.config.client_secret:
            headers = {"WWW-Authenticate": 'Basic realm="zim"'} if basic else None
            return JSONResponse({"error": "invalid_client"}, status_code=401, headers=headers)
        grant_type = form.get("grant_type")
        if not grant_type:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if grant_type != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        ttl = sandbox.config.zim_token_ttl_s
        body = {
            "access_token": sandbox.issue_token(PROVIDER, ttl),
            "token_type": "Bearer",
            "expires_in": ttl,
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def refusal(request: Request) -> Response | None:
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not sandbox.token_valid(PROVIDER, bearer.strip()):
            sandbox.stats.unauthorized[PROVIDER] += 1
            return JSONResponse({"message": "Unauthorized"}, status_code=401)
        if request.headers.get("x-app-identifier") != sandbox.config.zim_app_identifier:
            return JSONResponse({"message": "Forbidden"}, status_code=403)
        return None

    async def list_orders(request: Request) -> Response:
        """Every order as a bare array: no pagination, no filters, no promised order."""
        nonlocal list_body
        refused = refusal(request)
        if refused is not None:
            return refused
        if list_body is None:
            list_body = encode_orders(data)
        return Response(list_body, media_type="application/json")

    async def get_order(request: Request) -> Response:
        """One order by id."""
        refused = refusal(request)
        if refused is not None:
            return refused
        order = data.by_id.get(request.path_params["id"])
        if order is None:
            return JSONResponse({"message": "Order not found"}, status_code=404)
        return JSONResponse(render_order(data, order))

    route = route_maker(sandbox, PROVIDER, fault_error)

    return [
        route(TOKEN_PATH, token, "POST", token_endpoint=True),
        route(ORDERS_PATH, list_orders, "GET"),
        route(ORDER_PATH, get_order, "GET"),
        *(
            route(path, endpoint, "GET")
            for path, endpoint in esim_endpoints(sandbox, PROVIDER, refusal)
        ),
    ]
