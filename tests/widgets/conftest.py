"""Fixtures for the notebook widgets: a pinned sandbox behind a SyncOrderService, the tools'
own answers to compare the views with, and orders carrying hostile provider text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

import pytest

from esim_orders.failures.explanation import Explanation
from esim_orders.models import Order
from esim_orders.service.sync import SyncOrderService
from esim_orders.tools import explain_failure, list_orders
from esim_orders.tools.views import OrderPage

from ..helpers import NOW, ONE_ATTEMPT, SANDBOX, sandbox_app

ORDERS_PER_PROVIDER = 60
HOSTILE = (
    "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
    "\u202e[click](javascript:alert(3)) `code` **bold** | pipe"
)


def _open(**config: Any) -> SyncOrderService:
    app = sandbox_app(orders=ORDERS_PER_PROVIDER, **config)
    sync = SyncOrderService(SANDBOX, sandbox_app=app, policy=ONE_ATTEMPT)
    sync.service.now = lambda: NOW  # ages (of orders and their eSIMs) at the sandbox's clock
    return sync


@pytest.fixture(scope="module")
def service() -> Iterator[SyncOrderService]:
    """Both sandbox providers at NOW, shared by a module's tests (it is read-only)."""
    with _open() as sync:
        yield sync


@pytest.fixture
def make_service() -> Iterator[Callable[..., SyncOrderService]]:
    """A sandbox service with other knobs (latency, faults); closed after the test."""
    opened: list[SyncOrderService] = []

    def make(**config: Any) -> SyncOrderService:
        opened.append(_open(**config))
        return opened[-1]

    yield make
    for sync in opened:
        sync.close()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def hostile() -> str:
    return HOSTILE


@pytest.fixture
def tool_page(service: SyncOrderService) -> Callable[..., OrderPage]:
    """The list_orders tool's own answer, to compare a view with."""

    def call(**kwargs: Any) -> OrderPage:
        return service.run(partial(list_orders, service.service, **kwargs))

    return call


@pytest.fixture
def tool_explanation(service: SyncOrderService) -> Callable[[str], Explanation]:
    def call(ref: str) -> Explanation:
        return service.run(partial(explain_failure, service.service, ref))

    return call


@pytest.fixture
def hostile_order() -> Order:
    """A failed order whose every provider-sourced text tries to become markup."""
    return Order.model_validate(
        {
            "provider": "pressone",
            "id": "9666",
            "code": HOSTILE,
            "status": "FAILED",
            "provider_status": HOSTILE,
            "type": "ONE_OFF",
            "created_at": NOW,
            "description": HOSTILE,
            "plan": {"id": "p1", "name": HOSTILE, "features": [HOSTILE]},
            "price": {"minor_units": 490, "currency": "USD", "exponent": 2},
            "esims": [{"iccid": "8944000000000000001", "status": HOSTILE, "has_qrcode": True}],
            "failure": {"reason_code": HOSTILE, "message": HOSTILE},
            "customer": {"id": "3118", "name": HOSTILE},
            "payment_reference": HOSTILE,
        }
    )
