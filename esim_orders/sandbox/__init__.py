"""The embedded sandbox: an ASGI app speaking PressOne's and Zim's wire formats, with faults.

It sits on the far side of HTTP: nothing here imports the rest of `esim_orders`.
"""

from esim_orders.sandbox.app import AppOnFirstRequest, create_app
from esim_orders.sandbox.config import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxConfig
from esim_orders.sandbox.server import serve
from esim_orders.sandbox.state import Sandbox
from esim_orders.sandbox.transport import in_process_transport

__all__ = [
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "AppOnFirstRequest",
    "Sandbox",
    "SandboxConfig",
    "create_app",
    "in_process_transport",
    "serve",
]
