"""Run the server in this process, over stdio or streamable HTTP, until told to stop."""

from __future__ import annotations

import anyio

from ..settings import Settings
from .app import build_server
from .http import HttpOptions, serve_http
from .signals import run_until_signal
from .stdio import serve_stdio


def run_server(settings: Settings, http: HttpOptions | None = None) -> int:
    """Serve until the client leaves (stdio), or SIGINT/SIGTERM; 0 once everything is closed."""
    server = build_server(settings)
    if http is None:
        anyio.run(run_until_signal, lambda: serve_stdio(server))
    else:
        anyio.run(serve_http, server, http)
    return 0
