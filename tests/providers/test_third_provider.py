"""A third provider is a client module, a sandbox module and a registration: nothing else in
the package changes. This one ("eSIM Go", a wire format of its own) lives only in this test,
and the four tools answer for it through the MCP client, its eSIM reads included."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from mcp import Client
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from esim_orders import providers
from esim_orders.client.auth import AccessToken
from esim_orders.client.base import ProviderClient, ProviderListing
from esim_orders.client.esims import EsimReadCache
from esim_orders.client.transport import Gateway, RawResponse
from esim_orders.errors import OrderNotFound
from esim_orders.esim_models import EsimState, EsimStatus, Quota
from esim_orders.models import (
    Esim,
    Failure,
    Order,
    OrderFilter,
    OrderStatus,
    OrderType,
    Provider,
)
from esim_orders.providers import ProviderSpec
from esim_orders.sandbox import Sandbox, SandboxConfig, create_app
from esim_orders.sandbox.faults import guarded
from esim_orders.sandbox.providers import SandboxProvider
from esim_orders.server import OrdersServer, build_server
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

from ..helpers import NOW, ONE_ATTEMPT, text_of
from ..helpers.tools import call

KEY = "esimgo"
SNAPSHOT_PROVIDERS = ["pressone", "zim"]

# ---- the provider's wire format, as its sandbox module serves it ----------------------------

ROWS = [
    {"id": "EG-1003", "state": "working", "minutes_ago": 20},
    {"id": "EG-1002", "state": "failed", "minutes_ago": 90, "reason": "NO_STOCK"},
    {"id": "EG-1001", "state": "done", "minutes_ago": 600},
]


def esimgo_routes(sandbox: Sandbox) -> list[BaseRoute]:
    def wire(row: dict[str, Any]) -> dict[str, Any]:
        created = sandbox.now - timedelta(minutes=row["minutes_ago"])
        return {
            "id": row["id"],
            "state": row["state"],
            "placed": created.isoformat(),
            "reason": row.get("reason"),
        }

    def fault_error(kind: str) -> Response:
        return JSONResponse({"fault": kind}, status_code=int(kind[:3]))

    def refused(request: Request) -> Response | None:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if sandbox.token_valid(KEY, bearer):
            return None
        return JSONResponse({"error": "unauthorized"}, status_code=401)

    async def token(request: Request) -> Response:
        form = await request.form()
        if form.get("secret") != sandbox.config.client_secret:
            return JSONResponse({"error": "bad secret"}, status_code=401)
        return JSONResponse({"token": sandbox.issue_token(KEY, 600), "ttl": 600})

    async def orders(request: Request) -> Response:
        return refused(request) or JSONResponse({"orders": [wire(row) for row in ROWS]})

    async def esim(request: Request) -> Response:
        if request.path_params["iccid"] != ICCID:
            return refused(request) or JSONResponse({"error": "no such eSIM"}, status_code=404)
        return refused(request) or JSONResponse(
            {"iccid": ICCID, "state": "in_use", "mb_left": 900, "mb_total": 1000}
        )

    async def order(request: Request) -> Response:
        found = [wire(r) for r in ROWS if r["id"] == request.path_params["id"]]
        if not found:
            return refused(request) or JSONResponse({"error": "no such order"}, status_code=404)
        return refused(request) or JSONResponse(found[0])

    def route(path: str, endpoint: Any, method: str) -> Route:
        guard = guarded(sandbox, KEY, path, fault_error, endpoint, token_endpoint=path == "/token")
        return Route(path, guard, methods=[method])

    return [
        route("/token", token, "POST"),
        route("/orders", orders, "GET"),
        route("/orders/{id}", order, "GET"),
        route("/esims/{iccid}", esim, "GET"),
    ]


ESIMGO_SANDBOX = SandboxProvider(
    key=KEY, mount="/esimgo", routes=esimgo_routes, token_path="/token"
)

# ---- the provider's module: settings, client and spec ---------------------------------------

STATUS = {"done": OrderStatus.COMPLETED, "failed": OrderStatus.FAILED}
ICCID = "8944990000000000017"  # the eSIM of the done order, EG-1001


@dataclass(frozen=True)
class EsimGoSettings:
    base_url: str
    secret: str = field(repr=False)

    @property
    def token_url(self) -> str:
        return self.base_url + "/token"

    @classmethod
    def from_env(cls, env: Mapping[str, str], required: bool) -> EsimGoSettings | None:
        if not env.get("ESIMGO_SECRET") and not required:
            return None
        return cls(env.get("ESIMGO_BASE_URL", "https://api.esim-go.test"), env["ESIMGO_SECRET"])

    @classmethod
    def for_sandbox(cls, base_url: str, client_id: str, secret: str) -> EsimGoSettings:
        return cls(base_url, secret)


class EsimGoClient(ProviderClient):
    credential_variables = ("ESIMGO_SECRET",)

    def __init__(self, settings: EsimGoSettings, gateway: Gateway, personal_data: bool) -> None:
        super().__init__(gateway, personal_data=personal_data)
        self.provider = Provider(KEY)
        self.settings = settings
        self.esim_cache = EsimReadCache(KEY)

    async def _request_token(self) -> RawResponse:
        form = {"secret": self.settings.secret}
        return await self.gateway.send("POST", self.settings.token_url, data=form)

    def _parse_token(self, payload: Any) -> AccessToken:
        return AccessToken(payload["token"], payload["ttl"])

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def _order(self, row: dict[str, Any]) -> Order:
        done = row["state"] == "done"
        return Order(
            esims=[Esim(iccid=ICCID)] if done else [],
            provider=self.provider,
            id=row["id"],
            status=STATUS.get(row["state"], OrderStatus.PROCESSING),
            provider_status=row["state"],
            type=OrderType.ONE_OFF,
            created_at=row["placed"],
            failure=Failure(reason_code=row["reason"]) if row.get("reason") else None,
        )

    async def list_orders(self, order_filter: OrderFilter) -> ProviderListing:
        rows = self._ok_json(await self._get(self.settings.base_url + "/orders"))["orders"]
        orders = [o for o in map(self._order, rows) if order_filter.matches(o)]
        return ProviderListing(self.provider, orders=orders, total=len(orders))

    async def get_order(self, provider_id: str) -> Order:
        response = await self._get(f"{self.settings.base_url}/orders/{provider_id}")
        if response.status == 404:
            raise OrderNotFound(f"{KEY}:{provider_id}")
        return self._order(self._ok_json(response))

    # Its eSIM reads: the interface's two methods, over the shared per-eSIM cache.
    reads_esims = True

    async def order_esims(self, order: Order) -> list[EsimState]:
        found = [await self.esim_by_iccid(e.iccid) for e in order.esims if e.iccid]
        return [state.model_copy(update={"order_ref": order.ref}) for state in found if state]

    async def esim_by_iccid(self, iccid: str) -> EsimState | None:
        def parse(response: RawResponse) -> dict[str, Any] | None:
            return None if response.status == 404 else self._ok_json(response)

        url = f"{self.settings.base_url}/esims/{iccid}"
        row = await self.esim_cache.read("usage", iccid, lambda: self._get(url), parse)
        if not isinstance(row, dict):
            return None
        return EsimState(
            provider=self.provider,
            iccid=row["iccid"],
            status=EsimStatus.ACTIVE if row["state"] == "in_use" else EsimStatus.UNKNOWN,
            provider_status=row["state"],
            data=Quota(unit="MB", total=row["mb_total"], remaining=row["mb_left"]),
        )


def esimgo_spec() -> ProviderSpec:
    return ProviderSpec(
        provider=Provider.register(KEY, "eSIM Go"),
        from_env=EsimGoSettings.from_env,
        for_sandbox=EsimGoSettings.for_sandbox,
        open_client=EsimGoClient,
        ref_example="esimgo:EG-1001",
        owns_bare_id=lambda provider_id: provider_id.startswith("EG-"),
    )


# ---- the tests ------------------------------------------------------------------------------


@pytest.fixture
def registered() -> Iterator[ProviderSpec]:
    spec = providers.register(esimgo_spec())
    try:
        yield spec
    finally:
        providers.unregister(KEY)
        Provider.unregister(KEY)


@pytest.fixture
def server(registered: ProviderSpec) -> OrdersServer:
    settings = Settings(sandbox=True, sandbox_reason="a test with a third provider")
    app = create_app(SandboxConfig(now=NOW, orders=10), extra_providers=[ESIMGO_SANDBOX])

    def service() -> Any:
        return open_service(settings, sandbox_app=app, policy=ONE_ATTEMPT)

    return build_server(settings, service_factory=service)


async def test_list_orders_merges_the_third_provider_and_filters_on_it(server: OrdersServer):
    async with Client(server) as client:
        everything = (await call(client, "list_orders", limit=100)).structured_content or {}
        only = (await call(client, "list_orders", provider=KEY)).structured_content or {}
        totals = [
            ((await call(client, "list_orders", provider=p)).structured_content or {})["total"]
            for p in SNAPSHOT_PROVIDERS
        ]
    refs = [o["ref"] for o in everything["orders"]]
    assert {ref.partition(":")[0] for ref in refs} == {"pressone", "zim", KEY}
    assert everything["total"] == sum(totals) + len(ROWS)
    created = [o["created_at"] for o in everything["orders"]]
    assert created == sorted(created, reverse=True)  # merged newest first across the three
    assert [o["ref"] for o in only["orders"]] == [f"{KEY}:{row['id']}" for row in ROWS]
    assert only["total"] == len(ROWS) and not only["provider_errors"]


async def test_get_order_reads_a_ref_and_a_bare_id_of_the_third_provider(server: OrdersServer):
    async with Client(server) as client:
        by_ref = await call(client, "get_order", ref=f"{KEY}:EG-1001")
        bare = await call(client, "get_order", ref="EG-1002")
        unknown = await client.call_tool("get_order", {"ref": f"{KEY}:EG-9999"})
    assert (by_ref.structured_content or {})["status"] == "COMPLETED"
    assert (bare.structured_content or {})["ref"] == f"{KEY}:EG-1002"
    assert unknown.is_error and f"{KEY}:EG-9999" in text_of(unknown)


async def test_explain_failure_explains_the_third_providers_orders(server: OrdersServer):
    async with Client(server) as client:
        failed = await call(client, "explain_failure", ref=f"{KEY}:EG-1002")
        by_code = await call(client, "explain_failure", provider=KEY, code="NO_STOCK")
    explained = failed.structured_content or {}
    assert explained["outcome"] == "failed" and explained["provider"] == KEY
    assert "NO_STOCK" in json.dumps(explained)
    assert "eSIM Go" in explained["escalation_note"]
    assert (by_code.structured_content or {})["provider"] == KEY


async def test_get_esim_and_explain_failure_read_the_third_providers_esims(
    server: OrdersServer,
):
    async with Client(server) as client:
        by_ref = (await call(client, "get_esim", ref=f"{KEY}:EG-1001")).structured_content
        by_iccid = await call(client, "get_esim", iccid=ICCID)
        explained = await call(client, "explain_failure", ref=f"{KEY}:EG-1001")
    assert by_ref and [e["iccid"] for e in by_ref["esims"]] == [ICCID]
    assert by_ref["esims"][0]["order_ref"] == f"{KEY}:EG-1001"
    assert text_of(by_iccid).startswith(f"eSIM {ICCID}: ACTIVE")
    expl = explained.structured_content or {}
    assert expl["entry"] == "any:ESIM_HEALTHY" and "900 of 1000 MB left" in expl["diagnosis"]


async def test_the_tool_surface_names_the_provider_while_it_is_registered(server: OrdersServer):
    async with Client(server) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    listed = tools["list_orders"].input_schema["$defs"]["Provider"]["enum"]
    assert listed == [*SNAPSHOT_PROVIDERS, KEY]


def test_unregistering_leaves_the_two_built_in_providers():
    with pytest.raises(ValueError):
        Provider(KEY)
    assert [p.value for p in Provider] == SNAPSHOT_PROVIDERS
    assert [spec.key for spec in providers.specs()] == SNAPSHOT_PROVIDERS
