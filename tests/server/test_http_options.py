"""HTTP options and guards without a socket: what is refused, accepted, and required."""

from __future__ import annotations

import httpx2
import pytest

from esim_orders.client.errors import ConfigError
from esim_orders.server import HttpOptions, http_app
from esim_orders.server.http import BearerTokenGuard, is_loopback, transport_security

from ..helpers.tools import ServerMaker


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_hosts_need_no_token(host: str) -> None:
    assert is_loopback(host)
    HttpOptions.from_env(host, 8000, {})


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com", ""])
def test_any_other_bind_needs_a_token(host: str) -> None:
    with pytest.raises(ConfigError, match="ESIM_ORDERS_HTTP_TOKEN"):
        HttpOptions.from_env(host, 8000, {})
    assert HttpOptions.from_env(host, 8000, {"ESIM_ORDERS_HTTP_TOKEN": "t0ken"}).token == "t0ken"


def test_a_blank_token_counts_as_none() -> None:
    with pytest.raises(ConfigError):
        HttpOptions.from_env("0.0.0.0", 8000, {"ESIM_ORDERS_HTTP_TOKEN": "   "})


def test_the_token_never_shows_in_a_repr() -> None:
    options = HttpOptions.from_env("0.0.0.0", 8000, {"ESIM_ORDERS_HTTP_TOKEN": "s3cret-value"})
    assert "s3cret-value" not in repr(options)


@pytest.mark.parametrize("raw", ["https://orders.example.com", "a b", "user@host"])
def test_allowed_hosts_must_be_host_names(raw: str) -> None:
    with pytest.raises(ConfigError, match="ESIM_ORDERS_ALLOWED_HOSTS"):
        HttpOptions.from_env("127.0.0.1", 8000, {"ESIM_ORDERS_ALLOWED_HOSTS": raw})


def test_port_out_of_range_is_refused() -> None:
    with pytest.raises(ConfigError, match="--port"):
        HttpOptions.from_env("127.0.0.1", 70000, {})


def test_host_lists_always_hold_loopback_and_add_the_configured_names() -> None:
    options = HttpOptions.from_env(
        "0.0.0.0",
        8000,
        {
            "ESIM_ORDERS_HTTP_TOKEN": "t",
            "ESIM_ORDERS_ALLOWED_HOSTS": "Orders.Example.com, mcp.example.com:8443",
        },
    )
    security = transport_security(options)
    assert security.enable_dns_rebinding_protection
    for host in ("127.0.0.1:*", "localhost:*", "[::1]:*", "localhost", "orders.example.com:*"):
        assert host in security.allowed_hosts
    assert "mcp.example.com:8443" in security.allowed_hosts
    assert "mcp.example.com:8443:*" not in security.allowed_hosts
    assert "https://orders.example.com" in security.allowed_origins
    assert "0.0.0.0" not in security.allowed_hosts


def test_an_explicitly_bound_address_is_accepted_as_host() -> None:
    options = HttpOptions.from_env("192.168.1.20", 8000, {"ESIM_ORDERS_HTTP_TOKEN": "t"})
    assert "192.168.1.20:*" in transport_security(options).allowed_hosts


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000/mcp"),
        ("0.0.0.0", "http://127.0.0.1:8000/mcp"),
        ("::", "http://[::1]:8000/mcp"),
        ("::1", "http://[::1]:8000/mcp"),
        ("localhost", "http://localhost:8000/mcp"),
    ],
)
def test_the_printed_url_is_one_a_local_client_can_use(host: str, url: str) -> None:
    assert HttpOptions(host=host, port=8000).url == url


async def test_a_token_is_required_on_loopback_too(make_server: ServerMaker) -> None:
    options = HttpOptions.from_env("127.0.0.1", 8000, {"ESIM_ORDERS_HTTP_TOKEN": "t0ken"})
    app = http_app(make_server(), options)
    assert isinstance(app, BearerTokenGuard)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "t0ken"}):
            response = await http.post("/mcp", json={}, headers=headers)
            assert response.status_code == 401
            assert response.json()["error"] == "invalid_token"


def test_without_a_token_there_is_no_guard(make_server: ServerMaker) -> None:
    app = http_app(make_server(), HttpOptions.from_env("127.0.0.1", 8000, {}))
    assert not isinstance(app, BearerTokenGuard)
