"""The service the widgets use when given none: one per kernel, closed when the kernel exits."""

from __future__ import annotations

import atexit
import threading

from ..logs import configure_notebook_logging
from ..service.sync import SyncOrderService
from ..service.wiring import sandbox_shown_in_view
from ..settings import Settings

_lock = threading.Lock()
_default: SyncOrderService | None = None


def default_service() -> SyncOrderService:
    """A `SyncOrderService` on `Settings.from_env()`: the real providers when credentials are
    set, else the embedded sandbox. Shared by every widget of this process."""
    global _default
    with _lock:
        if _default is None:
            settings = Settings.from_env()
            configure_notebook_logging(settings.log_level)
            # The explorer's header says the data is the sandbox's in the view itself.
            sandbox_shown_in_view()
            _default = SyncOrderService(settings)
            # Its loop thread is a daemon; closing at exit just returns the connections.
            atexit.register(_default.close)
        return _default
