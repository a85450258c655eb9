"""Wires settings into a ready service: real providers, or the embedded sandbox in process."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from typing import Any

import httpx2

from ..client.transport import Gateway, RetryPolicy, default_http_client
from ..failures.thresholds import Thresholds
from ..providers import spec_for, specs
from ..settings import Settings
from .orders import OrderService, Source
from .shared_state import share_state

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
    http = default_http_client(
        transport, [account.token_url for account in settings.accounts.values()]
    )
    clients = {
        provider: spec_for(provider).open_client(
            account, Gateway(http, provider.value, policy), settings.personal_data
        )
        for provider, account in settings.accounts.items()
    }
    service = OrderService(
        clients, http, source=Source.PROVIDERS, thresholds=Thresholds.from_settings(settings)
    )
    service.shared = share_state(settings, clients, settings.accounts, service.finished_orders)
    return service


def _sandbox_service(
    settings: Settings,
    policy: RetryPolicy,
    app: object | None,
    transport: httpx2.AsyncBaseTransport | None,
) -> OrderService:
    """The same clients as for real providers, pointed at the sandbox in this process."""
    from ..sandbox import (
        SANDBOX_CLIENT_ID,
        SANDBOX_CLIENT_SECRET,
        AppOnFirstRequest,
        in_process_transport,
    )

    if transport is None:
        sandbox = app if app is not None else AppOnFirstRequest()
        transport = in_process_transport(_SaidOnFirstRequest(sandbox, settings.sandbox_reason))
    accounts = {
        spec.provider: spec.for_sandbox(
            f"{SANDBOX_ORIGIN}/{spec.key}", SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
        )
        for spec in specs()
    }
    # Each process embeds its own sandbox, whose tokens no other process's sandbox knows:
    # nothing to share through Redis.
    as_providers = replace(settings, sandbox=False, accounts=accounts, redis_url=None)
    service = open_service(as_providers, transport=transport, policy=policy)
    service.source = Source.SANDBOX
    return service


class _SaidOnFirstRequest:
    """The sandbox app, saying it is demo data when first asked rather than when opened: a
    command refused for its arguments never asks, so it prints only the refusal."""

    def __init__(self, app: Any, reason: str) -> None:
        self.app = app
        self.reason = reason

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        announce_sandbox(self.reason)
        await self.app(scope, receive, send)


def sandbox_shown_in_view() -> None:
    """For a face that says it uses the sandbox in its own view (the explorer's header):
    nothing goes to stderr, which a notebook shows as a red box under the cell."""
    global _told_about_sandbox
    _told_about_sandbox = True


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
