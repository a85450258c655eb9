"""The ASGI app: every registered provider mounted side by side over one shared `Sandbox`."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from esim_orders.sandbox.config import SandboxConfig
from esim_orders.sandbox.providers import (
    PROVIDERS,
    SandboxProvider,
    check_providers,
    provider_keys,
)
from esim_orders.sandbox.state import Sandbox


def create_app(
    config: SandboxConfig | None = None,
    *,
    extra_providers: Sequence[SandboxProvider] = (),
) -> Starlette:
    """Build the sandbox app; ``app.state.sandbox`` exposes its state for tests to steer.

    Each provider of the registry answers under its own mount: PressOne under ``/pressone``
    and Zim (token endpoint included) under ``/zim``, so one app stands in for both providers
    and Zim's separate auth host. ``extra_providers`` are mounted after them, on the same
    `Sandbox`, so the same knobs and faults apply to them.
    """
    providers = (*PROVIDERS, *extra_providers)
    check_providers(providers)
    sandbox = Sandbox(config, providers=provider_keys(providers))
    app = Starlette(
        routes=[
            Mount(provider.mount, routes=list(provider.routes(sandbox))) for provider in providers
        ]
    )
    app.state.sandbox = sandbox
    return app


class AppOnFirstRequest:
    """The default sandbox app, built when the first request arrives: a server that is only
    started, or only asked for its tools, never generates the demo data (about 50 ms of a
    cold start)."""

    def __init__(self) -> None:
        self._app: Starlette | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            self._app = create_app()
        await self._app(scope, receive, send)
