"""Fixtures for explain_failure: a pinned clock, the sandbox's orders, and a stub service.

The services here measure ages at NOW with the default thresholds: both are injected
with the service (`OrderService(thresholds=, now=)`), as `open_service` does from settings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from esim_orders.errors import OrderNotFound
from esim_orders.esim_models import EsimState
from esim_orders.failures import Thresholds
from esim_orders.models import Order, OrderStatus, Provider
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

from ..helpers import NOW, sandbox_app

SANDBOX_ORDERS = 200
_sandbox_cache: dict[bool, list[Order]] = {}


@pytest.fixture
def now() -> datetime:
    return NOW


async def _sandbox_orders(personal_data: bool) -> list[Order]:
    if personal_data not in _sandbox_cache:
        env = {"ESIM_ORDERS_PERSONAL_DATA": "1"} if personal_data else {}
        app = sandbox_app(orders=SANDBOX_ORDERS)
        async with open_service(Settings.from_env(env), sandbox_app=app) as service:
            listing = await service.list_orders()
        assert not listing.errors and not listing.unreadable
        _sandbox_cache[personal_data] = listing.orders
    return _sandbox_cache[personal_data]


@pytest.fixture
async def sandbox_orders() -> list[Order]:
    """Every order of both sandbox providers at NOW (generated once per session)."""
    return await _sandbox_orders(False)


@pytest.fixture
async def personal_sandbox_orders() -> list[Order]:
    """The same orders read with ESIM_ORDERS_PERSONAL_DATA=1: names, e-mails, phones included."""
    return await _sandbox_orders(True)


@pytest.fixture
async def sandbox_service() -> Any:
    app = sandbox_app(orders=SANDBOX_ORDERS)
    async with open_service(Settings.from_env({}), sandbox_app=app) as service:
        service.now = lambda: NOW
        yield service


class _StubClient:
    """Stands in for a provider client: answers get_order from a dict of orders, and an
    order's eSIM states from a dict of them by order id."""

    reads_esims = True

    def __init__(
        self,
        provider: Provider,
        orders: dict[str, Order],
        esims: dict[str, list[EsimState]] | None = None,
    ) -> None:
        self.provider = provider
        self.orders = orders
        self.esims = esims or {}

    async def order_esims(self, order: Order) -> list[EsimState]:
        return self.esims.get(order.id, [])

    async def get_order(self, provider_id: str) -> Order:
        order = self.orders.get(provider_id)
        if order is None:
            raise OrderNotFound(f"{self.provider}:{provider_id}")
        return order


class _NoHttp:
    async def aclose(self) -> None:
        return None


@pytest.fixture
def stub_service() -> Callable[..., OrderService]:
    """A real OrderService whose clients hand out the given (constructed) orders, and their
    eSIMs' states (`esims`, by order id), measuring ages at NOW with the default thresholds."""

    def build(*orders: Order, esims: dict[str, list[EsimState]] | None = None) -> OrderService:
        clients = {
            provider: _StubClient(
                provider, {o.id: o for o in orders if o.provider is provider}, esims
            )
            for provider in Provider
        }
        return OrderService(
            clients,  # type: ignore[arg-type]
            _NoHttp(),  # type: ignore[arg-type]
            thresholds=Thresholds(),
            now=lambda: NOW,
        )

    return build


@pytest.fixture
def make_order() -> Callable[..., Order]:
    """An order as a provider client would produce it, `age` before NOW, with overrides."""

    def build(
        provider: str = "zim",
        status: OrderStatus = OrderStatus.FAILED,
        *,
        age: timedelta = timedelta(hours=1),
        **fields: Any,
    ) -> Order:
        zim = provider == "zim"
        base: dict[str, Any] = {
            "provider": provider,
            "id": "ordr_TestTestTestTestTest1" if zim else "14134",
            "status": status,
            "provider_status": status.value if zim else status.value.lower(),
            "created_at": NOW - age,
            "updated_at": (NOW - age) if zim else None,
        }
        if zim:
            base.update(
                account_id="acct_ozxEbkTyvLPhhoglcALXE",
                payment_id="pay_4FzTYboPvetguABCDEFGH",
                payment_reference="pi_3OqAbCxYz12345",
                customer={"id": "user_yf95A86RIkVxau2gzBsjV"},
                plan={"id": "plan_guaGulGcrqgTYboPvetgu"},
            )
        else:
            base.update(code="20260601-014134", customer={"id": "3118"}, type="ONE_OFF")
        base.update(fields)
        return Order.model_validate(base)

    return build
