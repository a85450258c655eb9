"""HTTP for every provider call: the read-only guard, the one retry loop, deadlines, body caps."""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, replace
from typing import Any

import anyio
import httpx2

from ..errors import (
    ProviderDataError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    ProviderUnreachable,
    ReadOnlyViolation,
    ResponseTooLarge,
)
from .error_bodies import error_from_response

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one request tries: transient failures are retried, with a capped doubling
    backoff, for as long as `deadline` allows; the whole request, waits included, fits it.

    `max_attempts` caps the attempts as well (None: only the deadline ends them); tests set
    it to reach error paths without sitting out the deadline.
    """

    max_attempts: int | None = None
    backoff_base: float = 0.25
    backoff_cap: float = 4.0
    retry_after_cap: float = 20.0
    deadline: float = 30.0
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    max_body_bytes: int = 20 * 1024 * 1024
    #: The cap of a streamed body (`Gateway.stream`), which is never held whole: a guard
    #: against an endless answer, sized for real accounts (hundreds of thousands of orders).
    max_stream_bytes: int = 1024 * 1024 * 1024


class ReadOnlyTransport(httpx2.AsyncBaseTransport):
    """Refuses, before anything leaves the process, every request but GET and token POSTs.

    This is the one place that keeps the project read-only toward providers: every client
    built by this package sends through it.
    """

    def __init__(self, inner: httpx2.AsyncBaseTransport, token_urls: Iterable[str]) -> None:
        self._inner = inner
        self._token_urls = {_strip_query(u) for u in token_urls}

    def allow_token_url(self, url: str) -> None:
        self._token_urls.add(_strip_query(url))

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        method = request.method.upper()
        target = _strip_query(str(request.url))
        if method == "GET":
            return await self._inner.handle_async_request(request)
        if method == "POST" and target in self._token_urls:
            return await self._inner.handle_async_request(request)
        raise ReadOnlyViolation(
            f"refused {method} {request.url.host}{request.url.path}: esim-orders only reads "
            "from providers (GET, and POST to token endpoints)"
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


def _strip_query(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/")


@dataclass(frozen=True)
class RawResponse:
    """A fully read, size-capped response; the connection is already back in the pool.

    `payload` is the parsed JSON of a 2xx answer (the gateway parses it, so that an
    unreadable one is retried like any transient failure); None for other statuses.
    """

    status: int
    headers: httpx2.Headers
    body: bytes
    url: str
    payload: Any = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


#: Reads a 2xx body as it arrives, chunk by chunk; what it returns becomes the response's
#: `payload`. It raises `ProviderDataError` when the body cannot be read (cut short, not
#: JSON), and the whole request is then tried again like any transient failure, so it must
#: start afresh on every call.
BodyReader = Callable[[AsyncIterator[bytes]], Awaitable[Any]]


def retry_delay(
    attempt: int,
    status: int | None,
    retry_after: float | None,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before the next attempt, or None when this outcome is final.

    `status` None means a failure without a usable answer (a connection error, a timeout,
    an unreadable 2xx body). The provider's `Retry-After` is honoured up to its cap, and never
    shortens our own backoff (`Retry-After: 0` must not make a hot loop). Pure, so the whole
    retry behaviour is testable without a clock; the deadline is the caller's to check.
    """
    if policy.max_attempts is not None and attempt >= policy.max_attempts:
        return None
    if status is not None and status not in RETRYABLE_STATUSES:
        return None
    doubling = policy.backoff_base * 2 ** min(attempt - 1, 32)
    backoff = min(policy.backoff_cap, doubling) * (0.5 + rand() / 2)  # jitter, at least half
    if retry_after is not None:
        return max(min(retry_after, policy.retry_after_cap), backoff)
    return backoff


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds (delta or HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class Gateway:
    """Sends requests for one provider with retries, a deadline and a body cap."""

    def __init__(self, http: httpx2.AsyncClient, provider: str, policy: RetryPolicy) -> None:
        self._http = http
        self.provider = provider
        self.policy = policy
        self.sleep: Callable[[float], Awaitable[None]] = anyio.sleep  # tests watch the waits

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        retry: bool = True,
        give_back: frozenset[int] = frozenset(),
    ) -> RawResponse:
        """One logical call: transient failures are retried while the deadline allows.

        Returns a 2xx response with its parsed JSON, or a final non-2xx answer as it is, for
        the caller to interpret (a 401 means something different to the auth layer than to a
        listing). Raises the typed error when the retries run out of the deadline (saying how
        many tries over how long), or when a `Retry-After` would pass it. A status in
        `give_back` whose `Retry-After` is longer than the policy's cap comes back at once,
        unretried: a per-resource rate limit (an eSIM's usage, 10 requests a minute) is
        honoured by the caller, who answers without that resource meanwhile; a short one is
        waited for here as usual.
        """
        return await self._call(
            method, url, params, headers, data, retry=retry, reader=None, give_back=give_back
        )

    async def stream(
        self,
        url: str,
        reader: BodyReader,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> RawResponse:
        """A GET whose 2xx body goes to `reader` chunk by chunk as it arrives, never whole.

        The same call as `send` (retries, deadline, read-only guard), and more: a body that
        breaks off or that `reader` finds unreadable is asked for again, whole, while the
        deadline allows. Returns the 2xx response with `payload` set to what `reader`
        returned and an empty `body`, or a final non-2xx answer as `send` does. The body is
        capped at `RetryPolicy.max_stream_bytes`.
        """
        return await self._call("GET", url, params, headers, None, retry=True, reader=reader)

    async def _call(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        *,
        retry: bool,
        reader: BodyReader | None,
        give_back: frozenset[int] = frozenset(),
    ) -> RawResponse:
        """The one retry loop: `send` and `stream` differ only in how a 2xx body is read."""
        policy = self.policy
        started = time.monotonic()
        deadline_at = started + policy.deadline
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline_at - time.monotonic()
            if remaining <= 0:
                raise self._timeout(url)
            failure: ProviderError | None = None
            response: RawResponse | None = None
            try:
                with anyio.fail_after(remaining):
                    response = await self._send_once(method, url, params, headers, data, reader)
            except TimeoutError:
                raise self._timeout(url) from None
            except httpx2.ConnectError:
                failure = ProviderUnreachable(
                    self.provider, f"no connection to {_origin(url)} (refused or unknown host)"
                )
            except httpx2.TransportError as exc:
                failure = ProviderUnavailable(
                    self.provider, f"connection failed ({type(exc).__name__})"
                )
            except ResponseTooLarge:
                raise  # asking again would only fetch as much again
            except ProviderDataError as unreadable:  # a streamed body `reader` could not read
                failure = unreadable
            else:
                if response.ok and reader is None:
                    try:
                        return self._with_payload(response)
                    except ProviderDataError as unreadable:
                        failure = unreadable
                elif response.ok:
                    return response
            if failure is not None:
                wait = retry_delay(attempt, None, None, policy) if retry else None
                if wait is None:
                    raise failure from None
                if wait > deadline_at - time.monotonic():
                    raise failure.after_retries(attempt, time.monotonic() - started) from None
                log.info("%s: %s, retry %d in %.2fs", self.provider, failure, attempt, wait)
            else:
                assert response is not None
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                given_back = response.status in give_back and (
                    retry_after is not None and retry_after > policy.retry_after_cap
                )
                wait = (
                    retry_delay(attempt, response.status, retry_after, policy)
                    if retry and not given_back
                    else None
                )
                if wait is None:
                    return response
                if retry_after is not None and retry_after > deadline_at - time.monotonic():
                    # Waiting would blow the deadline: say when to come back instead.
                    raise self._error(response, retry_after)
                if wait > deadline_at - time.monotonic():
                    # Still failing at the deadline: the provider's own answer is the error.
                    error = self._error(response, retry_after)
                    raise error.after_retries(attempt, time.monotonic() - started)
                log.info(
                    "%s: HTTP %d on %s, retry %d in %.2fs",
                    self.provider,
                    response.status,
                    _path(url),
                    attempt,
                    wait,
                )
            await self.sleep(wait)

    def _with_payload(self, response: RawResponse) -> RawResponse:
        """The 2xx response with its JSON parsed, or `ProviderDataError` when it cannot be
        read (a body cut short, a proxy's HTML page, invalid UTF-8, nesting too deep)."""
        try:
            payload = json.loads(response.body)
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            kind = response.headers.get("content-type", "unknown type").split(";")[0]
            raise ProviderDataError(
                self.provider,
                f"answer is not JSON ({kind}, {len(response.body)} bytes)",
                status=response.status,
            ) from None
        return replace(response, payload=payload)

    def error_for(self, response: RawResponse) -> ProviderError:
        """The typed error for a final non-2xx response."""
        return self._error(response, parse_retry_after(response.headers.get("retry-after")))

    def _error(self, response: RawResponse, retry_after: float | None) -> ProviderError:
        return error_from_response(
            self.provider,
            response.status,
            response.headers,
            response.body,
            retry_after=retry_after,
        )

    def _timeout(self, url: str) -> ProviderTimeout:
        return ProviderTimeout(
            self.provider,
            f"no answer within the {self.policy.deadline:g}s deadline for {_path(url)}",
        )

    async def _send_once(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        reader: BodyReader | None = None,
    ) -> RawResponse:
        timeout = httpx2.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout)
        request = self._http.build_request(
            method, url, params=params, headers=headers, data=data, timeout=timeout
        )
        response = await self._http.send(request, stream=True)
        try:
            if reader is not None and 200 <= response.status_code < 300:
                async with aclosing(self._capped(response, self.policy.max_stream_bytes)) as chunks:
                    payload = await reader(chunks)
                return RawResponse(
                    response.status_code, response.headers, b"", str(request.url), payload
                )
            async with aclosing(self._capped(response, self.policy.max_body_bytes)) as chunks:
                body = b"".join([chunk async for chunk in chunks])
        finally:
            await response.aclose()
        return RawResponse(response.status_code, response.headers, body, str(request.url))

    async def _capped(self, response: httpx2.Response, cap: int) -> AsyncIterator[bytes]:
        """The body's chunks as they stream in, stopped at the cap, not after the fact."""
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise self._too_large(cap)
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise self._too_large(cap)
            yield chunk

    def _too_large(self, cap: int) -> ResponseTooLarge:
        return ResponseTooLarge(
            self.provider, f"answer larger than {cap // (1024 * 1024)} MB; stopped reading"
        )


def _path(url: str) -> str:
    return httpx2.URL(url).path


def _origin(url: str) -> str:
    """Host and port, never the userinfo a URL may carry."""
    parsed = httpx2.URL(url)
    return f"{parsed.host}:{parsed.port}" if parsed.port else parsed.host


def default_http_client(
    inner: httpx2.AsyncBaseTransport | None, token_urls: Iterable[str], **kwargs: Any
) -> httpx2.AsyncClient:
    """The one pooled client of an event loop, always behind the read-only guard."""
    inner = inner or httpx2.AsyncHTTPTransport(
        limits=httpx2.Limits(max_connections=20, max_keepalive_connections=10),
        retries=0,
    )
    return httpx2.AsyncClient(
        transport=ReadOnlyTransport(inner, token_urls),
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": "esim-orders/0.1"},
        **kwargs,
    )
