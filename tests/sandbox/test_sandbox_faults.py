"""Fault knobs: each kind observed on both providers, token endpoints included."""

from __future__ import annotations

import json
import time

import httpx2
import pytest

from esim_orders.sandbox import (
    Sandbox,
    SandboxConfig,
    create_app,
    in_process_transport,
)

from ..helpers import TOKEN_FORM


@pytest.fixture
def calls(pressone_headers, zim_headers):
    """One request per endpoint, by name: (method, path, request keywords)."""
    return {
        "pressone-token": ("POST", "/pressone/customer/v2/token", {"data": TOKEN_FORM}),
        "pressone-orders": ("GET", "/pressone/customer/v2/orders", {"headers": pressone_headers}),
        "zim-token": ("POST", "/zim/oauth2/token", {"data": TOKEN_FORM}),
        "zim-orders": ("GET", "/zim/orders", {"headers": zim_headers}),
    }


ENDPOINTS = ["pressone-token", "pressone-orders", "zim-token", "zim-orders"]


def only(sandbox: Sandbox, kind: str) -> None:
    sandbox.config.fault_rate = 1.0
    sandbox.config.faults = (kind,)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("kind", "status"),
    [("429", 429), ("429-no-retry-after", 429), ("500", 500), ("502", 502), ("503", 503)],
)
async def test_error_faults_answer_the_status(client, sandbox, calls, endpoint, kind, status):
    only(sandbox, kind)
    method, path, keywords = calls[endpoint]
    response = await client.request(method, path, **keywords)
    assert response.status_code == status
    if kind == "429":
        assert response.headers["retry-after"] == "1"
    else:
        assert "retry-after" not in response.headers
    assert sandbox.stats.faults == {kind: 1}


@pytest.mark.parametrize("kind", ["429", "500", "502", "503"])
async def test_pressone_error_faults_use_its_envelope(client, sandbox, calls, kind):
    only(sandbox, kind)
    method, path, keywords = calls["pressone-orders"]
    body = (await client.request(method, path, **keywords)).json()
    assert body["success"] is False
    assert body["data"] is None
    assert isinstance(body["code"], str)
    if kind == "429":
        assert body["message"] == "Too Many Attempts."


async def test_zim_error_faults_are_json_messages_or_plain_text(client, sandbox, calls):
    method, path, keywords = calls["zim-orders"]
    only(sandbox, "429")
    assert (await client.request(method, path, **keywords)).json() == {
        "message": "Too Many Requests"
    }
    only(sandbox, "502")
    response = await client.request(method, path, **keywords)
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Bad Gateway"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_malformed_fault_is_200_with_truncated_json(client, sandbox, calls, endpoint):
    only(sandbox, "malformed")
    method, path, keywords = calls[endpoint]
    response = await client.request(method, path, **keywords)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content[:1] in (b"{", b"[")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_html_fault_is_200_with_an_html_page(client, sandbox, calls, endpoint):
    only(sandbox, "html")
    method, path, keywords = calls[endpoint]
    response = await client.request(method, path, **keywords)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_drop_fault_raises_remote_protocol_error_in_process(client, sandbox, calls, endpoint):
    only(sandbox, "drop")
    method, path, keywords = calls[endpoint]
    with pytest.raises(httpx2.RemoteProtocolError):
        await client.request(method, path, **keywords)
    assert sandbox.stats.faults["drop"] == 1


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_stall_fault_is_cut_by_the_client_timeout(client, sandbox, calls, endpoint):
    only(sandbox, "stall")
    sandbox.config.stall_s = 30
    method, path, keywords = calls[endpoint]
    started = time.perf_counter()
    with pytest.raises(httpx2.ReadTimeout):
        await client.request(method, path, timeout=0.1, **keywords)
    assert time.perf_counter() - started < 5


async def test_short_stall_then_answers_normally(client, sandbox, calls):
    only(sandbox, "stall")
    sandbox.config.stall_s = 0.05
    method, path, keywords = calls["zim-orders"]
    started = time.perf_counter()
    response = await client.request(method, path, **keywords)
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.05
    assert isinstance(response.json(), list)


async def test_latency_delays_every_answer(client, sandbox, calls):
    sandbox.config.latency_ms = 60
    for endpoint in ENDPOINTS:
        method, path, keywords = calls[endpoint]
        started = time.perf_counter()
        assert (await client.request(method, path, **keywords)).status_code == 200
        assert time.perf_counter() - started >= 0.06


async def test_no_faults_when_fault_rate_is_zero(client, sandbox, calls):
    for _ in range(20):
        for endpoint in ENDPOINTS:
            method, path, keywords = calls[endpoint]
            assert (await client.request(method, path, **keywords)).status_code == 200
    assert sandbox.stats.faults == {}


async def outcomes(fault_rate: float, count: int, now) -> tuple[list[str], Sandbox]:
    """What ``count`` Zim token requests saw: a status code or an exception name."""
    app = create_app(
        SandboxConfig(
            now=now, orders=20, fault_rate=fault_rate, faults=("500", "503", "drop", "html")
        )
    )
    seen = []
    transport = in_process_transport(app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        for _ in range(count):
            try:
                response = await client.post("/zim/oauth2/token", data=TOKEN_FORM)
                seen.append(f"{response.status_code} {response.headers['content-type']}")
            except httpx2.RemoteProtocolError:
                seen.append("dropped")
    return seen, app.state.sandbox


async def test_fault_sequence_is_deterministic_and_roughly_the_rate(now):
    first, sandbox = await outcomes(0.3, 400, now)
    second, _ = await outcomes(0.3, 400, now)
    assert first == second
    faulted = sum(sandbox.stats.faults.values())
    assert 80 <= faulted <= 160
    assert set(sandbox.stats.faults) == {"500", "503", "drop", "html"}
    assert sandbox.stats.token_requests["zim"] == 400
    assert sandbox.stats.tokens_issued["zim"] == 400 - faulted + sandbox.stats.faults["drop"]


async def test_stats_count_requests_by_provider_and_path(
    client, sandbox, pressone_headers, zim_headers
):
    sandbox.reset_stats()
    await client.get("/pressone/customer/v2/orders", headers=pressone_headers)
    await client.get("/pressone/customer/v2/orders/1", headers=pressone_headers)
    await client.get("/pressone/customer/v2/orders/2", headers=pressone_headers)
    await client.get("/zim/orders", headers=zim_headers)
    await client.get("/zim/orders/ordr_x", headers=zim_headers)
    await client.post("/zim/oauth2/token", data=TOKEN_FORM)
    stats = sandbox.stats
    assert stats.api_requests == {
        ("pressone", "/customer/v2/orders"): 1,
        ("pressone", "/customer/v2/orders/{id}"): 2,
        ("zim", "/orders"): 1,
        ("zim", "/orders/{id}"): 1,
    }
    assert stats.token_requests == {"zim": 1}
    assert stats.tokens_issued == {"zim": 1}
    sandbox.reset_stats()
    assert sandbox.stats.api_requests == {}
    assert sandbox.stats.token_requests["pressone"] == 0


def test_unknown_fault_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown fault kinds"):
        SandboxConfig(faults=("teapot",))


async def test_unknown_fault_kind_set_at_runtime_fails_loudly(client, sandbox, calls):
    sandbox.config.fault_rate = 1.0
    sandbox.config.faults = ("teapot",)
    method, path, keywords = calls["zim-token"]
    with pytest.raises(ValueError, match="teapot"):
        await client.request(method, path, **keywords)
