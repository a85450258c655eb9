"""Serving the sandbox over real HTTP with uvicorn, for clients outside this process."""

from __future__ import annotations

import logging
import os
import socket
import sys

import uvicorn

from esim_orders.sandbox.app import create_app
from esim_orders.sandbox.config import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxConfig
from esim_orders.sandbox.faults import ConnectionDropped
from esim_orders.sandbox.zim import APP_IDENTIFIER


def banner(host: str, port: int) -> str:
    """Where the sandbox answers and with which credentials, ready to paste into settings."""
    netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    base = f"http://{netloc}"
    return "\n".join(
        [
            "esim-orders sandbox: fake PressOne and Zim Connections, no real provider behind it",
            f"PRESSONE_BASE_URL={base}/pressone",
            f"ZIM_BASE_URL={base}/zim",
            f"ZIM_TOKEN_URL={base}/zim/oauth2/token",
            f"client_id={SANDBOX_CLIENT_ID} client_secret={SANDBOX_CLIENT_SECRET} (both providers)",
            f"X-App-Identifier: {APP_IDENTIFIER} (Zim)",
        ]
    )


class _DropNotice(logging.Filter):
    """Turns uvicorn's error traceback for a deliberate drop fault into a one-line warning:
    the sandbox did what it was asked, and a traceback would read as a bug."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], ConnectionDropped):
            record.msg, record.args = "sandbox fault: %s", (record.exc_info[1],)
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is printed: a busy port raises `OSError`
    here, for the caller to say in one line, not as uvicorn's traceback after the banner."""
    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    try:
        return socket.create_server((bare, port), family=family)
    except OSError as exc:  # create_server appends the address tuple; the caller names it
        raise OSError(exc.errno, os.strerror(exc.errno) if exc.errno else str(exc)) from None


def serve(host: str = "127.0.0.1", port: int = 8080, config: SandboxConfig | None = None) -> None:
    """Bind, print the URLs and credentials to stderr, then serve until interrupted.

    The banner goes to stderr so stdout stays free for whatever the caller pipes; it names
    the bound port (`--port 0` picks a free one). Raises `OSError` when it cannot bind.
    """
    app = create_app(config)
    sock = listen(host, port)
    print(banner(host, sock.getsockname()[1]), file=sys.stderr, flush=True)
    uvicorn_logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(existing, _DropNotice) for existing in uvicorn_logger.filters):
        uvicorn_logger.addFilter(_DropNotice())
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info"))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
