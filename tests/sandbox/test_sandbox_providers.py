"""The sandbox's provider registry: the two built-in wire formats, and a third one mounted
through `create_app(extra_providers=...)` that answers and fails like them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from esim_orders.sandbox import Sandbox, SandboxConfig, create_app, in_process_transport
from esim_orders.sandbox.faults import guarded
from esim_orders.sandbox.providers import PROVIDERS, SandboxProvider, provider_keys

from ..helpers import NOW, TOKEN_FORM
from ..helpers.tokens import pressone_token


def acme_routes(sandbox: Sandbox) -> list[BaseRoute]:
    """A small third wire format: a token endpoint and a bare order list, in a shape of its own."""

    def fault_error(kind: str) -> Response:
        status = int(kind[:3])
        headers = {"Retry-After": "1"} if kind == "429" else None
        return JSONResponse({"fault": kind}, status_code=status, headers=headers)

    async def token(request: Request) -> Response:
        form = await request.form()
        if form.get("client_secret") != sandbox.config.client_secret:
            return JSONResponse({"error": "bad secret"}, status_code=401)
        return JSONResponse({"token": sandbox.issue_token("acme", 600)})

    async def orders(request: Request) -> Response:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not sandbox.token_valid("acme", bearer):
            sandbox.stats.unauthorized["acme"] += 1
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        return JSONResponse({"orders": [{"ref": "acme-1"}, {"ref": "acme-2"}]})

    return [
        Route(
            "/token",
            guarded(sandbox, "acme", "/token", fault_error, token, token_endpoint=True),
            methods=["POST"],
        ),
        Route("/orders", guarded(sandbox, "acme", "/orders", fault_error, orders), methods=["GET"]),
    ]


ACME = SandboxProvider(key="acme", mount="/acme", routes=acme_routes, token_path="/token")


@pytest.fixture
def app() -> Starlette:
    return create_app(SandboxConfig(now=NOW, orders=20), extra_providers=[ACME])


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx2.AsyncClient]:
    transport = in_process_transport(app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        yield client


async def acme_orders(client: httpx2.AsyncClient) -> httpx2.Response:
    token = await client.post(ACME.mount + ACME.token_path, data=TOKEN_FORM)
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    return await client.get("/acme/orders", headers=headers)


def test_the_registry_holds_the_two_built_in_providers():
    assert provider_keys() == ("pressone", "zim")
    assert [(p.mount, p.token_path) for p in PROVIDERS] == [
        ("/pressone", "/customer/v2/token"),
        ("/zim", "/oauth2/token"),
    ]


def test_the_default_app_mounts_exactly_the_registry():
    app = create_app(SandboxConfig(now=NOW, orders=5))
    assert [route.path for route in app.routes] == ["/pressone", "/zim"]
    assert app.state.sandbox.providers == ("pressone", "zim")


async def test_a_third_provider_answers_beside_the_built_in_ones(client, app):
    response = await acme_orders(client)
    assert response.status_code == 200
    assert response.json() == {"orders": [{"ref": "acme-1"}, {"ref": "acme-2"}]}
    assert (await client.get("/acme/orders")).status_code == 401
    # The built-in providers still answer on the same app.
    headers = {"Authorization": f"Bearer {await pressone_token(client)}"}
    assert (await client.get("/pressone/customer/v2/orders", headers=headers)).status_code == 200
    stats = app.state.sandbox.stats
    assert stats.token_requests["acme"] == 1 and stats.tokens_issued["acme"] == 1
    assert stats.api_requests[("acme", "/orders")] == 2
    assert stats.unauthorized["acme"] == 1


async def test_faults_hit_the_third_provider_by_default(client, app):
    config = app.state.sandbox.config
    config.fault_rate, config.faults = 1.0, ("503",)
    response = await client.post("/acme/token", data=TOKEN_FORM)
    assert response.status_code == 503 and response.json() == {"fault": "503"}
    config.faults = ("429",)
    response = await client.post("/acme/token", data=TOKEN_FORM)
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    assert app.state.sandbox.stats.faults == {"503": 1, "429": 1}


async def test_fault_providers_takes_the_third_provider_down_alone(client, app):
    config = app.state.sandbox.config
    config.fault_rate, config.faults, config.fault_providers = 1.0, ("500",), ("acme",)
    assert (await client.post("/acme/token", data=TOKEN_FORM)).status_code == 500
    assert await pressone_token(client)  # PressOne unaffected
    config.fault_providers = ("pressone",)
    assert (await acme_orders(client)).status_code == 200


def test_fault_providers_are_checked_against_the_mounted_providers():
    config = SandboxConfig(now=NOW, orders=5, fault_providers=("acme",))
    with pytest.raises(ValueError, match=r"unknown fault providers \['acme'\]"):
        create_app(config)
    assert create_app(config, extra_providers=[ACME]).state.sandbox.providers == (
        "pressone",
        "zim",
        "acme",
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (SandboxProvider("zim", "/zim2", acme_routes, "/token"), "share a key: ['zim']"),
        (SandboxProvider("acme", "/pressone", acme_routes, "/token"), "share a mount"),
        (SandboxProvider("acme", "acme", acme_routes, "/token"), "must start with '/'"),
    ],
)
def test_a_provider_that_would_shadow_another_is_refused(extra, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        create_app(SandboxConfig(now=NOW, orders=5), extra_providers=[extra])
