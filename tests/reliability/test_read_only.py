"""Read-only toward providers: any method but GET (token POSTs aside) is refused in one place,
`ReadOnlyTransport`, before it leaves the process, whichever way a request is sent."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from starlette.types import ASGIApp, Receive, Scope, Send

import esim_orders
from esim_orders.client.transport import ReadOnlyTransport
from esim_orders.errors import ReadOnlyViolation
from esim_orders.sandbox import in_process_transport
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import SANDBOX_ORIGIN, open_service

from ..helpers import ONE_ATTEMPT, sandbox_app, text_of
from ..helpers.providers import make_server, provider_settings

WRITES = ("POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "post")
API_URLS = (
    f"{SANDBOX_ORIGIN}/pressone/customer/v2/orders",
    f"{SANDBOX_ORIGIN}/pressone/customer/v2/orders/1",
    f"{SANDBOX_ORIGIN}/pressone/customer/v2/orders/topups",
    f"{SANDBOX_ORIGIN}/pressone/customer/v2/sims/8944/packages",
    f"{SANDBOX_ORIGIN}/zim/orders",
    f"{SANDBOX_ORIGIN}/zim/orders/ordr_x",
    # Look-alikes of the token URLs: another host, another path, a prefix.
    "http://evil.invalid/pressone/customer/v2/token",
    f"{SANDBOX_ORIGIN}/pressone/customer/v2/token/extra",
    f"{SANDBOX_ORIGIN}/zim/oauth2/tokens",
)
TOKEN_URLS = (
    f"{SANDBOX_ORIGIN}/pressone/customer/v2/token",
    f"{SANDBOX_ORIGIN}/zim/oauth2/token",
)


class Recorder:
    """Records every request that reaches the provider side."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)

    def writes(self) -> list[tuple[str, str]]:
        tokens = {"/pressone/customer/v2/token", "/zim/oauth2/token"}
        return [(m, p) for m, p in self.seen if m != "GET" and not (m == "POST" and p in tokens)]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder(sandbox_app(orders=5))


@pytest.fixture
async def service(recorder: Recorder):
    transport = in_process_transport(recorder)
    async with open_service(provider_settings(), transport=transport, policy=ONE_ATTEMPT) as svc:
        yield svc


async def test_every_method_but_get_is_refused_through_the_shared_http_client(
    service: OrderService, recorder: Recorder
) -> None:
    http: httpx2.AsyncClient = service._http
    assert isinstance(http._transport, ReadOnlyTransport)
    for method in WRITES:
        for url in API_URLS:
            with pytest.raises(ReadOnlyViolation, match="only reads from providers"):
                await http.request(method, url, content=b"{}")
    assert recorder.seen == []
    # The guard lets through what the client needs: GETs, and POSTs to the token URLs.
    for url in TOKEN_URLS:
        response = await http.post(url, data={"grant_type": "client_credentials"})
        assert response.status_code in (400, 401, 422)
    assert (await http.get(API_URLS[0])).status_code == 401
    assert recorder.writes() == []


async def test_every_method_but_get_is_refused_through_each_provider_gateway(
    service: OrderService, recorder: Recorder
) -> None:
    for client in service.clients.values():
        for method in WRITES:
            for url in API_URLS:
                with pytest.raises(ReadOnlyViolation):
                    await client.gateway.send(method, url, data={"package_id": "p"})
    assert recorder.seen == []


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/orders/1"), ("POST", "/orders/topups")])
async def test_a_tool_that_tried_to_write_gets_an_internal_error_and_nothing_is_sent(
    recorder: Recorder, method: str, path: str
) -> None:
    """Were a bug to make a tool write, the guard stops it and the model is told it is a
    server bug, not something to retry with other arguments."""

    def patch(service: OrderService) -> None:
        for client in service.clients.values():

            async def write(*_: Any, client: Any = client, **__: Any) -> Any:
                await client.gateway.send(method, client.base_url + path, data={"x": "y"})

            client.list_orders = write  # type: ignore[method-assign]
            client.page_after = write  # type: ignore[method-assign]
            client.get_order = write  # type: ignore[method-assign]

    made = make_server(provider_settings(), policy=ONE_ATTEMPT, app=recorder, patch=patch)
    async with Client(made.server) as client:
        listing = await client.call_tool("list_orders", {})
        order = await client.call_tool("get_order", {"ref": "pressone:1"})
    for result in (listing, order):
        assert result.is_error
        assert text_of(result).startswith("Internal error in ")
    assert recorder.writes() == []


def test_the_guard_is_the_only_way_out() -> None:
    """Every HTTP client the package builds is `default_http_client`'s, which always wraps
    its transport in the guard; nothing else in the package constructs one."""
    package = Path(esim_orders.__file__).parent
    builders = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in package.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("AsyncClient", "Client")
        and _is_httpx(node.func.value)
    ]
    assert len(builders) == 1 and builders[0].startswith("client/transport.py:"), builders


def _is_httpx(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("httpx2", "httpx")
