"""Token, retry and transport state machines against scripted mock providers (no cassettes)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import ClassVar

import anyio
import anyio.lowlevel
import httpx2
import pytest

from esim_orders.client.json_stream import PIECE
from esim_orders.client.transport import RetryPolicy, parse_retry_after, retry_delay
from esim_orders.errors import (
    AuthenticationError,
    OrderNotFound,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    ReadOnlyViolation,
    ResponseTooLarge,
)
from esim_orders.models import OrderFilter, Provider
from esim_orders.service.orders import OrderService
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

ENV = {
    "PRESSONE_BASE_URL": "https://pressone.test",
    "PRESSONE_CLIENT_ID": "id-p",
    "PRESSONE_CLIENT_SECRET": "secret-p",
    "ZIM_BASE_URL": "https://zim.test",
    "ZIM_TOKEN_URL": "https://auth.zim.test/oauth2/token",
    "ZIM_CLIENT_ID": "id-z",
    "ZIM_CLIENT_SECRET": "secret-z",
}
# Retries until the deadline (no attempt cap) with short waits, and a short read timeout.
QUICK_RETRIES = RetryPolicy(backoff_base=0.001, backoff_cap=0.01, deadline=5.0, read_timeout=1.0)
ORDER = {"id": 5, "code": "c", "status": {"slug": "completed"}, "created_at": "2026-01-01 00:00:00"}


class ClosingStream(httpx2.AsyncByteStream):
    """A body that records whether the client closed it (connection back to the pool)."""

    opened: ClassVar[list[ClosingStream]] = []

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False
        self.read = 0
        ClosingStream.opened.append(self)

    async def __aiter__(self):
        for chunk in self.chunks:
            self.read += len(chunk)
            yield chunk

    async def aclose(self) -> None:
        self.closed = True


def respond(status: int, body: object = None, headers: dict | None = None) -> httpx2.Response:
    raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    return httpx2.Response(
        status,
        headers={"content-type": "application/json", **(headers or {})},
        stream=ClosingStream([raw]),
    )


class FakeProviders:
    """Scripted PressOne + Zim: counts calls, hands out numbered tokens."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.tokens_issued = 0
        self.valid_tokens: set[str] = set()
        self.token_delay = 0.0
        self.script: dict[str, list[Callable[[httpx2.Request], httpx2.Response]]] = {}

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        key = f"{request.method} {request.url.host}{request.url.path}"
        self.calls[key] += 1
        if request.url.path.endswith("/token"):
            await anyio.sleep(self.token_delay)
            self.tokens_issued += 1
            token = f"tok-{self.tokens_issued}"
            self.valid_tokens.add(token)
            if "pressone" in request.url.host:
                return respond(200, {"data": {"access_token": token, "expires_in": 3600}})
            return respond(200, {"access_token": token, "expires_in": 3600})
        if self.script.get(key):
            return self.script[key].pop(0)(request)
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if bearer not in self.valid_tokens:
            return respond(401, {"message": "Unauthenticated."})
        if request.url.path == "/customer/v2/orders/5":
            return respond(200, {"data": ORDER})
        return respond(404, {"message": "Order not found"})


@pytest.fixture
def fake() -> FakeProviders:
    ClosingStream.opened.clear()
    return FakeProviders()


@pytest.fixture
async def service(fake: FakeProviders):
    svc = open_service(
        Settings.from_env(ENV), transport=httpx2.MockTransport(fake), policy=QUICK_RETRIES
    )
    async with svc:
        yield svc


def waits_of(service: OrderService) -> list[float]:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    for client in service.clients.values():
        client.gateway.sleep = record
    return waits


async def test_cold_start_burst_makes_one_token_request(service, fake):
    fake.token_delay = 0.05
    async with anyio.create_task_group() as group:
        for _ in range(50):
            # fresh: past the finished-order cache, so every call reaches the provider
            group.start_soon(partial(service.get_order, "pressone:5", fresh=True))
    assert fake.calls["POST pressone.test/customer/v2/token"] == 1
    assert fake.calls["GET pressone.test/customer/v2/orders/5"] == 50


async def test_expired_token_is_replaced_once_for_a_burst_of_401s(service, fake):
    await service.get_order("pressone:5")
    fake.valid_tokens.clear()  # the provider expires every token early
    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(partial(service.get_order, "pressone:5", fresh=True))
    assert fake.calls["POST pressone.test/customer/v2/token"] == 2


async def test_token_rejected_right_after_refresh_is_a_credentials_error_not_a_loop(service, fake):
    key = "GET pressone.test/customer/v2/orders/5"
    fake.script[key] = [lambda r: respond(401, {"message": "Unauthenticated."})] * 5
    with pytest.raises(AuthenticationError) as caught:
        await service.get_order("pressone:5")
    assert fake.calls[key] == 2
    assert fake.calls["POST pressone.test/customer/v2/token"] == 2
    assert "PRESSONE_CLIENT_SECRET" in str(caught.value)
    assert "secret-p" not in str(caught.value) and "tok-" not in str(caught.value)


async def test_rejected_client_credentials_name_the_variables_not_the_values(fake):
    async def refuse(request: httpx2.Request) -> httpx2.Response:
        return respond(401, {"error": "invalid_client"})

    svc = open_service(
        Settings.from_env(ENV), transport=httpx2.MockTransport(refuse), policy=QUICK_RETRIES
    )
    async with svc:
        with pytest.raises(AuthenticationError) as caught:
            await svc.get_order("zim:ordr_1")
    text = str(caught.value)
    assert "ZIM_CLIENT_ID" in text and "ZIM_CLIENT_SECRET" in text
    assert "id-z" not in text and "secret-z" not in text


async def test_retry_after_is_honoured_then_the_call_succeeds(service, fake):
    waits = waits_of(service)
    key = "GET pressone.test/customer/v2/orders/5"
    fake.script[key] = [
        lambda r: respond(429, {"message": "Too Many Attempts."}, {"Retry-After": "2"})
    ]
    order = await service.get_order("pressone:5")
    assert order.id == "5"
    assert waits == [2.0]
    assert fake.calls[key] == 2


async def test_retry_after_beyond_the_deadline_fails_fast_with_when_to_retry(service, fake):
    waits = waits_of(service)
    key = "GET pressone.test/customer/v2/orders/5"
    fake.script[key] = [lambda r: respond(429, b"slow down", {"Retry-After": "600"})]
    with pytest.raises(RateLimited) as caught:
        await service.get_order("pressone:5")
    assert caught.value.retry_after == 600 and waits == []


async def test_transient_5xx_and_dropped_connections_are_retried_with_backoff(service, fake):
    waits = waits_of(service)
    key = "GET pressone.test/customer/v2/orders/5"

    def drop(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.RemoteProtocolError("peer closed connection", request=request)

    fake.script[key] = [lambda r: respond(502, b"bad gateway"), drop, lambda r: respond(503)]
    order = await service.get_order("pressone:5")
    assert order.id == "5" and len(waits) == 3
    assert waits[0] <= waits[1] <= waits[2] <= QUICK_RETRIES.backoff_cap


async def test_a_policy_with_max_attempts_stops_there(fake):
    policy = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_cap=0.01, deadline=5.0)
    svc = open_service(Settings.from_env(ENV), transport=httpx2.MockTransport(fake), policy=policy)
    key = "GET pressone.test/customer/v2/orders/5"
    fake.script[key] = [lambda r: respond(500, b"boom")] * 10
    async with svc:
        waits_of(svc)
        with pytest.raises(ProviderUnavailable):
            await svc.get_order("pressone:5")
    assert fake.calls[key] == 3


async def test_transient_failures_are_retried_while_the_deadline_allows(service, fake):
    """Not a fixed number of attempts: with 30% of requests failing, 4 attempts leave one
    request in 120 failed though most of the deadline is left."""
    waits = waits_of(service)
    key = "GET pressone.test/customer/v2/orders/5"
    fake.script[key] = [lambda r: respond(503, b"busy")] * 9
    order = await service.get_order("pressone:5")
    assert order.id == "5"
    assert fake.calls[key] == 10 and len(waits) == 9


async def test_a_provider_that_keeps_failing_gets_its_own_error_at_the_deadline(fake):
    """Retries stop when the next wait would pass the deadline, with the error the provider
    gave (HTTP 500 here), not a vague time-out."""
    policy = RetryPolicy(backoff_base=0.05, backoff_cap=0.1, deadline=0.6)
    svc = open_service(Settings.from_env(ENV), transport=httpx2.MockTransport(fake), policy=policy)
    key = "GET pressone.test/customer/v2/orders/5"
    fake.script[key] = [lambda r: respond(500, b"boom")] * 1000
    async with svc:
        started = anyio.current_time()
        with pytest.raises(ProviderUnavailable) as caught:
            await svc.get_order("pressone:5")
        elapsed = anyio.current_time() - started
    assert "HTTP 500" in str(caught.value) and "tries over" in str(caught.value)
    assert 4 <= fake.calls[key] < 30
    assert elapsed < policy.deadline + 0.5


@pytest.mark.parametrize(
    "unreadable",
    [
        lambda r: httpx2.Response(200, content=b'{"data": {"id": 5, "co'),
        lambda r: httpx2.Response(
            200,
            content=b"<html><title>Maintenance</title></html>",
            headers={"content-type": "text/html"},
        ),
    ],
    ids=["truncated JSON", "HTML page"],
)
async def test_an_unreadable_200_is_retried_like_a_transient_failure(service, fake, unreadable):
    """A body cut short or a proxy's maintenance page with status 200 passes; the next read
    usually works, and every request we send is safe to repeat (GETs and token requests)."""
    waits_of(service)
    key = "GET pressone.test/customer/v2/orders/5"
    fake.script[key] = [unreadable, unreadable]
    order = await service.get_order("pressone:5")
    assert order.id == "5" and fake.calls[key] == 3


def test_a_zero_retry_after_still_backs_off():
    """`Retry-After: 0` must not turn the retry loop into a hot loop against the provider."""
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=4)
    assert retry_delay(3, 429, 0.0, policy, rand=lambda: 0.0) == 1.0


async def test_a_stalled_provider_is_cut_at_the_deadline():
    async def stall(request: httpx2.Request) -> httpx2.Response:
        await anyio.sleep(60)
        raise AssertionError("unreachable")

    policy = RetryPolicy(deadline=0.3, read_timeout=10)
    svc = open_service(Settings.from_env(ENV), transport=httpx2.MockTransport(stall), policy=policy)
    async with svc:
        with anyio.fail_after(10), pytest.raises(ProviderTimeout):
            await svc.get_order("pressone:5")


async def test_no_response_is_left_open_after_retries_and_errors(service, fake):
    waits_of(service)
    key = "GET pressone.test/customer/v2/orders/5"
    fake.script[key] = [lambda r: respond(503)] * 2 + [lambda r: respond(429)]
    await service.get_order("pressone:5")
    with pytest.raises(OrderNotFound):
        await service.get_order("pressone:6")
    assert ClosingStream.opened and all(s.closed for s in ClosingStream.opened)


async def test_body_cap_stops_reading_while_streaming(fake):
    big = [b"x" * 1024] * 100

    async def huge(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/token"):
            return await fake(request)
        return httpx2.Response(200, stream=ClosingStream(big))

    policy = RetryPolicy(max_body_bytes=10 * 1024)
    svc = open_service(Settings.from_env(ENV), transport=httpx2.MockTransport(huge), policy=policy)
    async with svc:
        with pytest.raises(ResponseTooLarge):
            await svc.get_order("pressone:5")
    body_stream = ClosingStream.opened[-1]
    assert body_stream.read <= 11 * 1024 and body_stream.closed


async def test_only_get_and_token_posts_leave_the_process(service, fake):
    http = service._http
    for method, url in [
        ("POST", "https://pressone.test/customer/v2/orders/topups"),
        ("DELETE", "https://zim.test/orders/ordr_1"),
        ("PUT", "https://zim.test/orders"),
        ("POST", "https://zim.test/orders"),
    ]:
        with pytest.raises(ReadOnlyViolation):
            await http.request(method, url)
    assert not any(k.startswith(("DELETE", "PUT")) or "topups" in k for k in fake.calls)
    response = await http.post("https://auth.zim.test/oauth2/token", data={"x": "y"})
    assert response.status_code == 200


async def test_zim_single_order_falls_back_to_the_list_on_404(fake):
    listed = [{"id": "ordr_A", "status": "FULFILLED"}, {"id": "ordr_B", "status": "FAILED"}]

    async def zim_without_single_route(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/token"):
            return await fake(request)
        fake.calls[request.url.path] += 1
        if request.url.path == "/orders":
            return respond(200, listed)
        return respond(404, b"Cannot GET")

    svc = open_service(
        Settings.from_env(ENV),
        transport=httpx2.MockTransport(zim_without_single_route),
        policy=QUICK_RETRIES,
    )
    async with svc:
        order = await svc.get_order("ordr_B")
        assert order.ref == "zim:ordr_B"
        with pytest.raises(OrderNotFound):
            await svc.get_order("zim:ordr_missing")
        await svc.get_order("zim:ordr_A")
    # Once the list answered, the unsupported single-order route is not tried again.
    assert fake.calls["/orders/ordr_B"] == 1 and fake.calls["/orders/ordr_A"] == 0


def test_retry_decision_is_a_pure_function_of_the_outcome():
    policy = RetryPolicy(max_attempts=3, backoff_base=1, backoff_cap=4, retry_after_cap=10)
    assert retry_delay(5, 503, None, RetryPolicy()) is not None  # no count: the deadline ends it
    assert retry_delay(1, 404, None, policy) is None
    assert retry_delay(1, 401, None, policy) is None
    assert retry_delay(3, 503, None, policy) is None  # attempts used up
    assert retry_delay(1, 429, 30.0, policy) == 10  # Retry-After capped
    assert retry_delay(1, None, None, policy, rand=lambda: 1.0) == 1.0
    assert retry_delay(2, 502, None, policy, rand=lambda: 0.0) == 1.0  # half of 2s
    for status in (408, 429, 500, 502, 503, 504):
        assert retry_delay(1, status, None, policy) is not None


def test_retry_after_as_seconds_or_http_date():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_a_long_zim_list_is_read_without_starving_other_tasks(fake):
    rows = [
        {"id": f"ordr_{n:021d}", "status": "FULFILLED", "note": "x" * 1000} for n in range(2000)
    ]

    async def zim_list(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/token"):
            return await fake(request)
        return respond(200, rows)

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await anyio.lowlevel.checkpoint()

    svc = open_service(
        Settings.from_env(ENV), transport=httpx2.MockTransport(zim_list), policy=QUICK_RETRIES
    )
    async with svc, anyio.create_task_group() as group:
        group.start_soon(ticker)
        await anyio.lowlevel.checkpoint()
        before = ticks
        listing = await svc.clients[Provider.ZIM].list_orders(OrderFilter())
        group.cancel_scope.cancel()
    assert len(listing.orders) == 2000
    # The reader yields after each piece it parses: other tasks ran in between, not only at
    # the end.
    assert ticks - before >= len(json.dumps(rows)) // PIECE - 1 >= 25
