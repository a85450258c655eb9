"""A blocking facade over the async service, for the command line and notebooks.

It runs the service on its own event loop in a background thread, so it works the same in
a plain script and where a loop already runs in this thread (a Jupyter cell, a widget
callback), where `asyncio.run` would refuse.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, TypeVar

from anyio.from_thread import BlockingPortal, start_blocking_portal

from ..models import Order, OrderFilter
from ..settings import Settings
from .factory import open_service
from .service import OrderListing, OrderService

T = TypeVar("T")


class SyncOrderService:
    def __init__(self, settings: Settings | None = None, **open_kwargs: Any) -> None:
        self._portal_cm: AbstractContextManager[BlockingPortal] = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        settings = settings if settings is not None else Settings.from_env()
        try:
            self.service: OrderService = self._portal.call(_open, settings, open_kwargs)
        except BaseException:
            self._portal_cm.__exit__(None, None, None)
            raise
        self._closed = False

    def __repr__(self) -> str:
        return f"SyncOrderService({self.service!r})"

    def run(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run any coroutine function on the service's loop and wait for its result."""
        if self._closed:
            raise RuntimeError("this SyncOrderService is closed")
        return self._portal.call(func, *args)

    def list_orders(self, order_filter: OrderFilter | None = None) -> OrderListing:
        return self.run(self.service.list_orders, order_filter)

    def get_order(self, ref: str) -> Order:
        return self.run(self.service.get_order, ref)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._portal.call(self.service.aclose)
        finally:
            self._portal_cm.__exit__(None, None, None)

    def __enter__(self) -> SyncOrderService:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


async def _open(settings: Settings, open_kwargs: dict[str, Any]) -> OrderService:
    return open_service(settings, **open_kwargs)
