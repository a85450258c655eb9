"""PressOne's routes: token, order list, one order and one eSIM's record, usage and package
history, each behind the sandbox's faults."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from esim_orders.sandbox.faults import route_maker
from esim_orders.sandbox.pressone.esims import esim_endpoints
from esim_orders.sandbox.pressone.query import (
    POSITIVE_INT,
    OrderFinder,
    parse_includes,
    parse_order_query,
)
from esim_orders.sandbox.pressone.wire import (
    error,
    fault_error,
    paginate,
    render_order,
    success,
    validation_failed,
)
from esim_orders.sandbox.state import Sandbox

PROVIDER = "pressone"
TOKEN_PATH = "/customer/v2/token"
ORDERS_PATH = "/customer/v2/orders"
ORDER_PATH = "/customer/v2/orders/{id}"


def pressone_routes(sandbox: Sandbox) -> list[Route]:
    """PressOne's routes, relative to wherever the app mounts them."""
    data = sandbox.data.pressone
    finder = OrderFinder(data)

    def answer(body: dict[str, Any]) -> Response:
        return success(body, sandbox.config.pressone_envelope)

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
        return answer(
            {
                "data": {"token_type": "Bearer", "expires_in": ttl, "access_token": access_token},
                "meta": {"message": "success"},
            }
        )

    async def list_orders(request: Request) -> Response:
        """Filtered order list in the Laravel paginator's layout, newest first unless the
        ``pressone_list_order`` knob says oldest first."""
        if not authorized(request):
            return error(401, "4010", "Unauthenticated.")
        query = parse_order_query(request.query_params)
        if query is None:
            return validation_failed()
        path = str(request.url.replace(query=""))
        found = finder.find(query)
        config = sandbox.config
        oldest_first = config.pressone_list_order == "oldest-first"
        return answer(
            paginate(data, found, query, config.pressone_page_cap, path, oldest_first=oldest_first)
        )

    async def get_order(request: Request) -> Response:
        """One order by its integer id."""
        if not authorized(request):
            return error(401, "4010", "Unauthenticated.")
        includes = parse_includes(request.query_params)
        if includes is None:
            return validation_failed()
        raw_id = request.path_params["id"]
        order = data.by_id.get(int(raw_id)) if POSITIVE_INT.fullmatch(raw_id) else None
        if order is None:
            return error(404, "4004", "Order not found")
        return answer({"data": render_order(data, order, includes), "meta": {"message": "success"}})

    route = route_maker(sandbox, PROVIDER, fault_error)

    esims = esim_endpoints(
        sandbox,
        PROVIDER,
        authorized,
        lambda: error(401, "4010", "Unauthenticated."),
        answer,
    )
    return [
        route(TOKEN_PATH, token, "POST", token_endpoint=True),
        route(ORDERS_PATH, list_orders, "GET"),
        route(ORDER_PATH, get_order, "GET"),
        *(route(path, endpoint, "GET") for path, endpoint in esims),
    ]
