"""The ASGI app: both providers mounted side by side over one shared `Sandbox`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount

from esim_orders.sandbox.config import SandboxConfig
from esim_orders.sandbox.pressone import pressone_routes
from esim_orders.sandbox.state import Sandbox
from esim_orders.sandbox.zim import zim_routes


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """Build the sandbox app; ``app.state.sandbox`` exposes its state for tests to steer.

    PressOne answers under ``/pressone`` and Zim (token endpoint included) under ``/zim``, so
    one app stands in for both providers and Zim's separate auth host.
    """
    sandbox = Sandbox(config)
    app = Starlette(
        routes=[
            Mount("/pressone", routes=pressone_routes(sandbox)),
            Mount("/zim", routes=zim_routes(sandbox)),
        ]
    )
    app.state.sandbox = sandbox
    return app
