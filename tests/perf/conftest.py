"""Fixtures for the performance features: services on an in-process sandbox, watched traffic."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx2
import pytest
from starlette.applications import Starlette

from esim_orders.client.transport import RetryPolicy
from esim_orders.sandbox import SandboxConfig, create_app, in_process_transport
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SANDBOX = Settings.from_env({"ESIM_ORDERS_PROVIDERS": "sandbox"})
FAST = RetryPolicy(max_attempts=1, backoff_base=0.001, backoff_cap=0.01, deadline=5.0)


class Watched(httpx2.AsyncBaseTransport):
    """The sandbox transport, counting requests by path and the most ever in flight at once."""

    def __init__(self, app: Starlette) -> None:
        self._inner = in_process_transport(app)
        self.requests: Counter[str] = Counter()
        self.in_flight = 0
        self.most_in_flight = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.requests[request.url.path] += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await self._inner.handle_async_request(request)
        finally:
            self.in_flight -= 1

    def pages(self) -> int:
        return self.requests["/pressone/customer/v2/orders"]


def sandbox_app(**knobs: object) -> Starlette:
    return create_app(SandboxConfig(now=NOW, **knobs))  # type: ignore[arg-type]


@pytest.fixture
def app() -> Starlette:
    return sandbox_app(orders=120, pressone_page_cap=25)


@pytest.fixture
def watched(app: Starlette) -> Watched:
    return Watched(app)


@pytest.fixture
async def service(watched: Watched) -> AsyncIterator[OrderService]:
    async with open_service(SANDBOX, transport=watched, policy=FAST) as svc:
        yield svc


def refs_with(app: Starlette, provider: str, status: str) -> list[str]:
    data = getattr(app.state.sandbox.data, provider)
    return [f"{provider}:{order.id}" for order in data.orders if order.status == status]
