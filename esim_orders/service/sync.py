"""A blocking facade over the async service, for the command line and notebooks.

It runs the service on its own event loop in a background thread, so it works the same in
a plain script and where a loop already runs in this thread (a Jupyter cell, a widget
callback), where `asyncio.run` would refuse. The thread is a daemon: a facade nobody closed
never keeps the interpreter from exiting.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

from ..models import Order, OrderFilter
from ..settings import Settings
from .orders import OrderListing, OrderService
from .wiring import open_service

T = TypeVar("T")


class SyncOrderService:
    def __init__(self, settings: Settings | None = None, **open_kwargs: Any) -> None:
        settings = settings if settings is not None else Settings.from_env()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="esim-orders-loop", daemon=True
        )
        self._thread.start()
        self._closed = False
        try:
            self.service: OrderService = self._call(_open, settings, open_kwargs)
        except BaseException:
            self._stop_loop()
            raise

    def __repr__(self) -> str:
        return f"SyncOrderService({self.service!r})"

    def run(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run any coroutine function on the service's loop and wait for its result."""
        if self._closed:
            raise RuntimeError("this SyncOrderService is closed")
        return self._call(func, *args)

    def list_orders(self, order_filter: OrderFilter | None = None) -> OrderListing:
        return self.run(self.service.list_orders, order_filter)

    def get_order(self, ref: str) -> Order:
        return self.run(self.service.get_order, ref)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._call(self.service.aclose)
        finally:
            self._stop_loop()

    def __enter__(self) -> SyncOrderService:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        if threading.current_thread() is self._thread:
            raise RuntimeError("SyncOrderService called from its own loop; await the service")
        return asyncio.run_coroutine_threadsafe(_invoke(func, args), self._loop).result()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()


async def _invoke(func: Callable[..., Awaitable[T]], args: tuple[Any, ...]) -> T:
    return await func(*args)


async def _open(settings: Settings, open_kwargs: dict[str, Any]) -> OrderService:
    return open_service(settings, **open_kwargs)
