"""The MCP server: the tools, the instructions, and one order service for the process."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import anyio
from mcp.server.lowlevel import Server
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.subscriptions import ListenHandler
from mcp_types import CallToolResult, InputRequiredResult

from ..service.orders import OrderService
from ..service.wiring import announce_sandbox, open_service
from ..settings import SHUTDOWN_GRACE_SECONDS, Settings
from .drain import Drain
from .errors import public_error, unknown_tool
from .registry import mcp_tools

log = logging.getLogger(__name__)

NAME = "esim-orders"

INSTRUCTIONS = """\
Read-only access to eSIM orders at two providers, PressOne and Zim Connections.
- list_orders finds orders, newest first: filter by status, provider, type, creation day (UTC), \
ICCID, order code or description words; pass next_cursor back to page on.
- get_order shows one order in full: plan, price, eSIMs, subscription, failure reason.
- explain_failure says why an order failed or is stuck (or what a raw provider code means), \
whether a retry is safe, who must act, the next steps and a note for provider support; \
for a completed order it reads the eSIMs behind it (installed, used, data left, validity).
- get_esim shows eSIMs live, by order ref or by ICCID: state, data left, valid until, top-ups.
Order refs name the provider: pressone:9666, zim:ordr_GMAVA4ISiqfWSG0ArGOzB. Take refs from \
list_orders; a failed order's reason is provider data, quote it rather than guess.
Nothing here can change an order."""

SANDBOX_NOTE = "\nThis server runs on the embedded sandbox: demo data, not real customers' orders."

ServiceFactory = Callable[[], OrderService]

# A whole tool call, token requests and every provider page included, ends by then: each
# provider request has its own 30 s deadline, and a model must not wait on several in a row.
TOOL_CALL_DEADLINE = 60.0


class OrdersServer(MCPServer[OrderService]):
    """`MCPServer` with this project's error policy applied to every tool call, and each call
    known to `drain`, so that a stop lets it finish or answers that the server is stopping."""

    def __init__(
        self, *args: Any, shutdown_grace: float = SHUTDOWN_GRACE_SECONDS, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.drain = Drain(shutdown_grace, on_stop=self.close_listen_streams)

    async def call_tool(
        self,
        name: str,
        arguments: dict[str, Any],
        context: Context[OrderService, Any] | None = None,
    ) -> CallToolResult | InputRequiredResult:
        tools = {tool.name: tool for tool in await self.list_tools()}
        if name not in tools:
            raise unknown_tool(name, list(tools))
        try:
            with self.drain.call(), anyio.fail_after(TOOL_CALL_DEADLINE):
                return await super().call_tool(name, arguments, context)
        except TimeoutError:
            raise ToolError(
                f"{name} took longer than {TOOL_CALL_DEADLINE:g} seconds, the providers are "
                "answering slowly; retry in a minute."
            ) from None
        except ToolError as exc:
            public = public_error(name, exc, list(tools[name].input_schema.get("properties", {})))
            if public is exc:
                raise
            raise public from exc.__cause__

    def close_listen_streams(self) -> None:
        """End every `subscriptions/listen` stream the graceful way: each sends its final
        result, so its client knows the stream was closed on purpose and may listen again
        (elsewhere). Left open, one would hold a stopping server until it is cut."""
        entry = self.protocol_server.get_request_handler("subscriptions/listen")
        if entry is not None and isinstance(entry.handler, ListenHandler):
            entry.handler.close()

    @property
    def protocol_server(self) -> Server[Any]:
        """The SDK's low-level server under this one, for a transport set up outside it (see
        `server.sessions`). `MCPServer` keeps it private; its own in-memory `Client` and
        `streamable_http_app` reach it the same way."""
        return self._lowlevel_server

    async def serve_streams(self, read_stream: Any, write_stream: Any) -> None:
        """Serve one connection over streams a transport opened (see `server.stdio`).

        The same loop as `run_stdio_async`, which insists on its own stdin reader, one no
        cancellation can interrupt. `MCPServer` keeps its low-level server private; the SDK's
        own in-memory `Client` reaches it the same way.
        """
        low = self.protocol_server
        await low.run(read_stream, write_stream, low.create_initialization_options())


def build_server(settings: Settings, service_factory: ServiceFactory | None = None) -> OrdersServer:
    """The server for `settings`; `service_factory` replaces `open_service(settings)` (tests)."""
    opened = service_factory or (lambda: open_service(settings))

    def factory() -> OrderService:
        # Said when the server starts to serve, where its operator reads; a command line
        # says it when the sandbox first answers (`wiring`).
        if settings.sandbox:
            announce_sandbox(settings.sandbox_reason)
        return opened()

    return OrdersServer(
        NAME,
        title="eSIM orders",
        instructions=INSTRUCTIONS + (SANDBOX_NOTE if settings.sandbox else ""),
        version=_version(),
        tools=mcp_tools(),
        lifespan=service_lifespan(factory),
        log_level=settings.log_level,  # type: ignore[arg-type]  # Settings checked the name
        shutdown_grace=settings.shutdown_grace_seconds,
    )


def service_lifespan(
    factory: ServiceFactory,
) -> Callable[[MCPServer[OrderService]], AbstractAsyncContextManager[OrderService]]:
    """One service while the server runs, closed however the server ends."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[OrderService]) -> AsyncIterator[OrderService]:
        service = factory()
        log.info("serving %r", service)
        try:
            yield service
        finally:
            # A signal arrives as cancellation; the pool must still close.
            with anyio.CancelScope(shield=True):
                await service.aclose()
            log.info("order service closed")

    return lifespan


def _version() -> str:
    try:
        return version("esim-orders")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"
