"""Servers whose providers are configured as real ones (no sandbox shortcut) and answered by
a steerable sandbox: credentials, settings, the server and the services it opened."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from esim_orders.client.transport import RetryPolicy
from esim_orders.models import Provider
from esim_orders.providers.pressone import PressOneSettings
from esim_orders.providers.zim import ZimSettings
from esim_orders.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, in_process_transport
from esim_orders.sandbox.config import SANDBOX_APP_IDENTIFIER
from esim_orders.sandbox.pressone import INCLUDES
from esim_orders.sandbox.pressone import render_order as pressone_order
from esim_orders.sandbox.zim import render_order as zim_order
from esim_orders.server import OrdersServer, build_server
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import SANDBOX_ORIGIN, open_service
from esim_orders.settings import Settings

from . import state

__all__ = [
    "Credentials",
    "Hostile",
    "Made",
    "every_call_reaches_the_providers",
    "make_server",
    "mutate",
    "provider_env",
    "provider_settings",
    "real_orders",
]


@dataclass(frozen=True)
class Credentials:
    client_id: str = SANDBOX_CLIENT_ID
    client_secret: str = SANDBOX_CLIENT_SECRET
    app_identifier: str = SANDBOX_APP_IDENTIFIER


def provider_settings(
    origin: str = SANDBOX_ORIGIN,
    credentials: Credentials = Credentials(),
    *,
    personal_data: bool = False,
    log_level: str = "WARNING",
) -> Settings:
    """Both providers configured as real ones (no sandbox shortcut), served at `origin`."""
    return Settings(
        accounts={
            Provider.PRESSONE: PressOneSettings(
                origin + "/pressone", credentials.client_id, credentials.client_secret
            ),
            Provider.ZIM: ZimSettings(
                base_url=origin + "/zim",
                token_url=origin + "/zim/oauth2/token",
                client_id=credentials.client_id,
                client_secret=credentials.client_secret,
                app_identifier=credentials.app_identifier,
            ),
        },
        personal_data=personal_data,
        log_level=log_level,
    )


def provider_env(origin: str, credentials: Credentials) -> dict[str, str]:
    """The same, as the environment variables a server process reads."""
    return {
        "PRESSONE_BASE_URL": origin + "/pressone",
        "PRESSONE_CLIENT_ID": credentials.client_id,
        "PRESSONE_CLIENT_SECRET": credentials.client_secret,
        "ZIM_BASE_URL": origin + "/zim",
        "ZIM_TOKEN_URL": origin + "/zim/oauth2/token",
        "ZIM_CLIENT_ID": credentials.client_id,
        "ZIM_CLIENT_SECRET": credentials.client_secret,
        "ZIM_APP_IDENTIFIER": credentials.app_identifier,
        "ESIM_ORDERS_PROVIDERS": "pressone,zim",
    }


@dataclass
class Made:
    """A server under test and the services it opened (to reach their connection pools)."""

    server: OrdersServer
    services: list[OrderService] = field(default_factory=list)

    @property
    def service(self) -> OrderService:
        return self.services[-1]


def make_server(
    settings: Settings,
    *,
    policy: RetryPolicy,
    app: ASGIApp | None = None,
    transport: httpx2.AsyncBaseTransport | None = None,
    patch: Callable[[OrderService], None] | None = None,
) -> Made:
    """A server whose providers are `app` in process (default) or `transport` (loopback)."""
    if transport is None and app is not None:
        transport = in_process_transport(app)
    made: Made

    def factory() -> OrderService:
        service = open_service(settings, transport=transport, policy=policy)
        if patch is not None:
            patch(service)
        made.services.append(service)
        return service

    made = Made(build_server(settings, service_factory=factory))
    return made


def every_call_reaches_the_providers(service: OrderService) -> None:
    """Turn off the service's and its clients' answer caches (a TTL of 0), for tests about
    what happens on the wire: token refreshes and retries must be exercised by every call,
    not the first."""
    for holder in (service, *service.clients.values()):
        for value in vars(holder).values():
            if hasattr(value, "ttl") and hasattr(value, "get_or_load"):
                value.ttl = 0


# ---- a provider that answers what a test says ---------------------------------------------


class Hostile:
    """The sandbox, except that API answers (not token answers) come from `answer`."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner
        self.answer: Callable[[str], Response | None] = lambda path: None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].endswith("token"):
            response = self.answer(scope["path"])
            if response is not None:
                await response(scope, receive, send)
                return
        await self.inner(scope, receive, send)


def real_orders(app: Starlette) -> tuple[dict[str, Any], dict[str, Any]]:
    """One order of each provider exactly as the sandbox sends it."""
    data = state(app).data
    failed = next(o for o in data.zim.orders if o.failure_reason)
    return (
        pressone_order(data.pressone, data.pressone.orders[0], INCLUDES),
        zim_order(data.zim, failed),
    )


def mutate(order: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of `order` with `changes`; a change to `...` removes the key."""
    changed = copy.deepcopy(order)
    for key, value in changes.items():
        if value is ...:
            changed.pop(key, None)
        else:
            changed[key] = value
    return changed
