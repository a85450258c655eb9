"""The MCP server: list_orders and get_order for AI assistants, over stdio or streamable HTTP."""

from .app import INSTRUCTIONS, OrdersServer, build_server
from .http import HttpOptions, http_app
from .run import run_server

__all__ = ["INSTRUCTIONS", "HttpOptions", "OrdersServer", "build_server", "http_app", "run_server"]
