"""Latency and fault injection around every sandbox endpoint, for both providers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from esim_orders.sandbox.state import Sandbox

Endpoint = Callable[[Request], Awaitable[Response]]
#: Builds a provider's own error answer for "429", "429-no-retry-after", "500", "502", "503".
ErrorBuilder = Callable[[str], Response]

ERROR_KINDS = frozenset({"429", "429-no-retry-after", "500", "502", "503"})

# What a misconfigured proxy or maintenance page in front of an API answers: a 200 that is
# not JSON, which a client that trusts the status code will fail to parse.
HTML_ERROR_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Service Temporarily Unavailable</title></head>"
    "<body><h1>Service Temporarily Unavailable</h1><p>The server is temporarily unable to"
    " service your request due to maintenance downtime or capacity problems. Please try"
    " again later.</p><hr><address>Apache Server</address></body></html>\n"
)


class ConnectionDropped(Exception):
    """Raised by the app after a partial response to make the server abort the connection.

    Uvicorn closes the socket when an app raises after the response started; the in-process
    transport turns it into `httpx2.RemoteProtocolError`, which is what a client sees then.
    """


class DroppedResponse(Response):
    """Promises the whole body in Content-Length, sends half of it, then drops the line."""

    def __init__(self, original: Response) -> None:
        super().__init__(bytes(original.body), status_code=original.status_code)
        self.raw_headers = list(original.raw_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytes(self.body)
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
        raise ConnectionDropped(f"sandbox dropped the connection after {len(body) // 2} bytes")


def truncated(original: Response) -> Response:
    """A 200 carrying the first half of the real body: never valid JSON, as the body is an
    object or array whose closing bracket is its last byte."""
    body = bytes(original.body)
    return Response(body[: max(1, len(body) // 2)], status_code=200, media_type="application/json")


def guarded(
    sandbox: Sandbox,
    provider: str,
    path: str,
    errors: ErrorBuilder,
    endpoint: Endpoint,
    *,
    token_endpoint: bool = False,
) -> Endpoint:
    """Wrap ``endpoint`` with request counting, latency and the configured faults.

    Faults that need the real answer (a truncated or dropped body) run the endpoint first,
    so its side effects, such as issuing a token, happen although the client never sees them.
    """

    async def guard(request: Request) -> Response:
        stats = sandbox.stats
        if token_endpoint:
            stats.token_requests[provider] += 1
        else:
            stats.api_requests[(provider, path)] += 1
        config = sandbox.config
        if config.latency_ms > 0:
            await anyio.sleep(config.latency_ms / 1000)
        targets = config.fault_providers
        kind = sandbox.draw_fault() if targets is None or provider in targets else None
        if kind in ERROR_KINDS:
            response = errors(kind)
            if "retry-after" in response.headers:
                response.headers["Retry-After"] = f"{config.retry_after_s:g}"
            return response
        if kind == "html":
            return HTMLResponse(HTML_ERROR_PAGE, status_code=200)
        if kind == "stall":
            # A plain sleep: cutting it is the client's timeout's job, not the sandbox's.
            await anyio.sleep(config.stall_s)
        response = await endpoint(request)
        if kind == "malformed":
            return truncated(response)
        if kind == "drop":
            return DroppedResponse(response)
        return response

    guard.__name__ = getattr(endpoint, "__name__", "guard")
    guard.__doc__ = endpoint.__doc__
    return guard


def route_maker(sandbox: Sandbox, provider: str, errors: ErrorBuilder) -> Callable[..., Route]:
    """`route(path, endpoint, method, token_endpoint=False)` for one provider's routes, each
    behind `guarded`'s latency and faults."""

    def route(path: str, endpoint: Endpoint, method: str, *, token_endpoint: bool = False) -> Route:
        wrapped = guarded(sandbox, provider, path, errors, endpoint, token_endpoint=token_endpoint)
        return Route(path, wrapped, methods=[method])

    return route
