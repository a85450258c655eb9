"""What reaches the sandbox: requests counted by path, and the most in flight at once."""

from __future__ import annotations

from collections import Counter

import httpx2
from starlette.applications import Starlette

from esim_orders.sandbox import in_process_transport

from . import state

__all__ = ["Watched", "refs_with"]


class Watched(httpx2.AsyncBaseTransport):
    """The sandbox transport, counting requests by path and the most ever in flight at once."""

    def __init__(self, app: Starlette) -> None:
        self._inner = in_process_transport(app)
        self.requests: Counter[str] = Counter()
        self.in_flight = 0
        self.most_in_flight = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.requests[request.url.path] += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await self._inner.handle_async_request(request)
        finally:
            self.in_flight -= 1

    def pages(self) -> int:
        """PressOne listing pages asked for."""
        return self.requests["/pressone/customer/v2/orders"]


def refs_with(app: Starlette, provider: str, status: str) -> list[str]:
    """Refs of the sandbox's orders of `provider` whose wire status is `status`."""
    data = getattr(state(app).data, provider)
    return [f"{provider}:{order.id}" for order in data.orders if order.status == status]
