"""An in-process httpx2 transport that fails the way a network would."""

from __future__ import annotations

import anyio
import httpx2
from starlette.types import ASGIApp

from esim_orders.sandbox.faults import ConnectionDropped


class InProcessTransport(httpx2.ASGITransport):
    """`httpx2.ASGITransport` plus two network behaviours the plain one lacks.

    A dropped connection becomes `httpx2.RemoteProtocolError`, as over a socket, rather
    than the app's own exception; and the request's read timeout is enforced, so a stalled
    answer ends in `httpx2.ReadTimeout` instead of waiting forever.
    """

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        read_timeout = request.extensions.get("timeout", {}).get("read")
        try:
            with anyio.fail_after(read_timeout):
                return await super().handle_async_request(request)
        except ConnectionDropped as exc:
            raise httpx2.RemoteProtocolError(
                "peer closed connection without sending complete message body",
                request=request,
            ) from exc
        except TimeoutError as exc:
            raise httpx2.ReadTimeout(f"no answer within {read_timeout} s", request=request) from exc


def in_process_transport(app: ASGIApp) -> httpx2.AsyncBaseTransport:
    """A transport that calls ``app`` directly: no port, no socket, same failure modes."""
    return InProcessTransport(app=app)
