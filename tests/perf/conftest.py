"""Fixtures for the performance features: services on an in-process sandbox, watched traffic."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette

from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import open_service

from ..helpers import ONE_ATTEMPT, SANDBOX, sandbox_app
from ..helpers.traffic import Watched


@pytest.fixture
def app() -> Starlette:
    return sandbox_app(orders=120, pressone_page_cap=25)


@pytest.fixture
def watched(app: Starlette) -> Watched:
    return Watched(app)


@pytest.fixture
async def service(watched: Watched) -> AsyncIterator[OrderService]:
    async with open_service(SANDBOX, transport=watched, policy=ONE_ATTEMPT) as svc:
        yield svc
