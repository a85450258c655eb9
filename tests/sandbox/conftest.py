"""Fixtures that build the sandbox in process and talk to it through httpx2."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import httpx2
import pytest
from starlette.applications import Starlette

from esim_orders.sandbox import Sandbox, SandboxConfig, create_app, in_process_transport

from ..helpers import NOW, FakeClock
from ..helpers.tokens import pressone_token, zim_token


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


@pytest.fixture
async def pressone_headers(client: httpx2.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {await pressone_token(client)}"}


@pytest.fixture
async def zim_headers(client: httpx2.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {await zim_token(client)}", "X-App-Identifier": "b2b"}


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
