"""Fixtures that build the sandbox in process and talk to it through httpx2."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx2
import pytest
from starlette.applications import Starlette

from esim_orders.sandbox import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    Sandbox,
    SandboxConfig,
    create_app,
    in_process_transport,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    """The sandbox's reference time in these tests."""
    return NOW


@pytest.fixture
def config() -> SandboxConfig:
    return SandboxConfig(now=NOW, orders=60)


@pytest.fixture
def app(config: SandboxConfig) -> Starlette:
    return create_app(config)


@pytest.fixture
def sandbox(app: Starlette) -> Sandbox:
    return app.state.sandbox


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx2.AsyncClient]:
    transport = in_process_transport(app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        yield client


async def pressone_token(client: httpx2.AsyncClient) -> str:
    response = await client.post(
        "/pressone/customer/v2/token",
        data={
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return (body["data"].get("data") or body["data"])["access_token"]


async def zim_token(client: httpx2.AsyncClient) -> str:
    response = await client.post(
        "/zim/oauth2/token",
        data={
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
async def pressone_headers(client: httpx2.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {await pressone_token(client)}"}


@pytest.fixture
async def zim_headers(client: httpx2.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {await zim_token(client)}", "X-App-Identifier": "b2b"}


class FakeClock:
    """A monotonic clock the test moves by hand, to expire tokens without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(sandbox: Sandbox) -> FakeClock:
    fake = FakeClock()
    sandbox.clock = fake
    return fake


@pytest.fixture
def new_pressone_token(client: httpx2.AsyncClient):
    """Ask PressOne's token endpoint for a fresh token."""
    return lambda: pressone_token(client)


@pytest.fixture
def new_zim_token(client: httpx2.AsyncClient):
    """Ask Zim's token endpoint for a fresh token."""
    return lambda: zim_token(client)
