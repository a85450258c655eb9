"""Wires settings into a ready service: real providers, or the embedded sandbox in process."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

import httpx2

from ..client.pressone import PressOneClient
from ..client.transport import Gateway, RetryPolicy, default_http_client
from ..client.zim import ZimClient
from ..failures.thresholds import Thresholds
from ..settings import PressOneSettings, Settings, ZimSettings
from .orders import OrderService, Source

log = logging.getLogger(__name__)

# The in-process sandbox answers on this host; nothing resolves it, nothing leaves the process.
SANDBOX_ORIGIN = "http://sandbox.invalid"
_told_about_sandbox = False


def open_service(
    settings: Settings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
    sandbox_app: object | None = None,
) -> OrderService:
    """A service for `settings`. Call inside the event loop that will use it.

    `transport` replaces the network (tests); `sandbox_app` replaces the default embedded
    sandbox when settings ask for the sandbox (tests that pin its clock or its faults).
    """
    policy = policy or RetryPolicy(deadline=settings.provider_deadline_seconds)
    if settings.sandbox:
        return _sandbox_service(settings, policy, sandbox_app, transport)
    token_urls = []
    if settings.pressone:
        token_urls.append(settings.pressone.base_url + "/customer/v2/token")
    if settings.zim:
        token_urls.append(settings.zim.token_url)
    http = default_http_client(transport, token_urls)
    clients = {}
    if settings.pressone:
        p = settings.pressone
        clients[PressOneClient.provider] = PressOneClient(
            Gateway(http, "pressone", policy),
            base_url=p.base_url,
            client_id=p.client_id,
            client_secret=p.client_secret,
            personal_data=settings.personal_data,
        )
    if settings.zim:
        z = settings.zim
        clients[ZimClient.provider] = ZimClient(
            Gateway(http, "zim", policy),
            base_url=z.base_url,
            token_url=z.token_url,
            client_id=z.client_id,
            client_secret=z.client_secret,
            app_identifier=z.app_identifier,
            personal_data=settings.personal_data,
        )
    return OrderService(
        clients, http, source=Source.PROVIDERS, thresholds=Thresholds.from_settings(settings)
    )


def _sandbox_service(
    settings: Settings,
    policy: RetryPolicy,
    app: object | None,
    transport: httpx2.AsyncBaseTransport | None,
) -> OrderService:
    """The same clients as for real providers, pointed at the sandbox in this process."""
    from ..sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, create_app, in_process_transport

    announce_sandbox(settings.sandbox_reason)
    if transport is None:
        transport = in_process_transport(app if app is not None else create_app())
    as_providers = replace(
        settings,
        sandbox=False,
        pressone=PressOneSettings(
            SANDBOX_ORIGIN + "/pressone", SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
        ),
        zim=ZimSettings(
            base_url=SANDBOX_ORIGIN + "/zim",
            token_url=SANDBOX_ORIGIN + "/zim/oauth2/token",
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET,
        ),
    )
    service = open_service(as_providers, transport=transport, policy=policy)
    service.source = Source.SANDBOX
    return service


def announce_sandbox(reason: str) -> None:
    """Say once per process, on stderr, that the data is the sandbox's demo data."""
    global _told_about_sandbox
    if _told_about_sandbox:
        return
    _told_about_sandbox = True
    print(
        f"esim-orders: {reason}; using the embedded sandbox (demo data, no credentials)",
        file=sys.stderr,
    )
