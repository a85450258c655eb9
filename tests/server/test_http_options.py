"""HTTP options and guards without a socket: what is refused, accepted, and required."""

from __future__ import annotations

import httpx2
import pytest

from esim_orders.errors import ConfigError
from esim_orders.server import HttpOptions, http_app
from esim_orders.server.http import BearerTokenGuard, is_loopback, transport_security
from esim_orders.server.options import RESERVED_FILES

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


def test_session_limits_default_to_a_thousand_sessions_idle_for_ten_minutes() -> None:
    limits = HttpOptions.from_env("127.0.0.1", 8000, {}).limits
    assert (limits.max_sessions, limits.session_idle_seconds) == (1000, 600.0)


def test_session_limits_come_from_the_environment() -> None:
    env = {"ESIM_ORDERS_MAX_SESSIONS": "20", "ESIM_ORDERS_SESSION_IDLE_SECONDS": "1.5"}
    limits = HttpOptions.from_env("127.0.0.1", 8000, env).limits
    assert (limits.max_sessions, limits.session_idle_seconds) == (20, 1.5)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("ESIM_ORDERS_MAX_SESSIONS", "0"),
        ("ESIM_ORDERS_MAX_SESSIONS", "2.5"),
        ("ESIM_ORDERS_MAX_SESSIONS", "many"),
        ("ESIM_ORDERS_SESSION_IDLE_SECONDS", "-1"),
        ("ESIM_ORDERS_SESSION_IDLE_SECONDS", "inf"),
        ("ESIM_ORDERS_HEADER_TIMEOUT_SECONDS", "0"),
        ("ESIM_ORDERS_MAX_CONNECTIONS", "-5"),
    ],
)
def test_a_limit_that_is_not_a_positive_number_is_refused(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=name):
        HttpOptions.from_env("127.0.0.1", 8000, {name: raw})


def test_connection_limits_default_to_ten_seconds_for_a_head_and_a_thousand_connections() -> None:
    limits = HttpOptions.from_env("127.0.0.1", 8000, {}, open_files=65536).limits
    assert (limits.header_timeout_seconds, limits.max_connections) == (10.0, 1000)


def test_the_default_connection_cap_stays_under_the_open_files_limit() -> None:
    assert HttpOptions.from_env("127.0.0.1", 8000, {}, open_files=1024).limits.max_connections == (
        1024 - RESERVED_FILES
    )
    assert HttpOptions.from_env("127.0.0.1", 8000, {}, open_files=50).limits.max_connections == 1


def test_connection_limits_come_from_the_environment() -> None:
    env = {"ESIM_ORDERS_HEADER_TIMEOUT_SECONDS": "2.5", "ESIM_ORDERS_MAX_CONNECTIONS": "64"}
    limits = HttpOptions.from_env("127.0.0.1", 8000, env, open_files=1024).limits
    assert (limits.header_timeout_seconds, limits.max_connections) == (2.5, 64)


def test_a_connection_cap_past_the_open_files_limit_is_refused() -> None:
    env = {"ESIM_ORDERS_MAX_CONNECTIONS": "2000"}
    with pytest.raises(ConfigError, match=r"ESIM_ORDERS_MAX_CONNECTIONS=2000 .* 924 or less"):
        HttpOptions.from_env("127.0.0.1", 8000, env, open_files=1024)
