"""The hosted settings, read once at start: OAuth (issuer and public URL), Redis and its key;
a mistake is one clear line and exit code 2, as with every other setting."""

from __future__ import annotations

import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from esim_orders.errors import ConfigError
from esim_orders.server import HttpOptions
from esim_orders.settings import Settings

from ..helpers.processes import server_env

ISSUER = "https://login.example.com/realms/support"
PUBLIC = "https://orders.example.com/mcp"
OAUTH = {"ESIM_ORDERS_AUTH_ISSUER": ISSUER, "ESIM_ORDERS_PUBLIC_URL": PUBLIC}


def test_oauth_lets_the_server_listen_beyond_loopback_without_the_shared_token() -> None:
    options = HttpOptions.from_env("0.0.0.0", 8000, OAUTH)
    assert options.oauth is not None and options.oauth.resource == PUBLIC
    assert options.token is None


def test_the_shared_token_and_oauth_together_are_refused_at_start_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "esim_orders", "serve", "--http"],
        capture_output=True,
        text=True,
        env=server_env(OAUTH, ESIM_ORDERS_HTTP_TOKEN="a-long-shared-token"),
        timeout=30,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "ESIM_ORDERS_HTTP_TOKEN and ESIM_ORDERS_AUTH_ISSUER are both set" in lines[0]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ESIM_ORDERS_AUTH_ISSUER": ISSUER}, "ESIM_ORDERS_PUBLIC_URL is not"),
        ({"ESIM_ORDERS_PUBLIC_URL": PUBLIC}, "ESIM_ORDERS_AUTH_ISSUER is not"),
        ({**OAUTH, "ESIM_ORDERS_AUTH_ISSUER": "http://login.example.com"}, "must be an https"),
        ({**OAUTH, "ESIM_ORDERS_PUBLIC_URL": "orders.example.com/mcp"}, "must be an https"),
        ({**OAUTH, "ESIM_ORDERS_PUBLIC_URL": f"{PUBLIC}?x=1"}, "must be an https"),
    ],
)
def test_half_or_wrong_oauth_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        HttpOptions.from_env("127.0.0.1", 8000, env)


def test_plain_http_is_accepted_on_loopback_only() -> None:
    loopback = {
        "ESIM_ORDERS_AUTH_ISSUER": "http://127.0.0.1:9000",
        "ESIM_ORDERS_PUBLIC_URL": "http://localhost:8000/mcp",
    }
    assert HttpOptions.from_env("127.0.0.1", 8000, loopback).oauth is not None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ESIM_ORDERS_REDIS_URL": "localhost:6379"}, "must be a redis://"),
        ({"ESIM_ORDERS_REDIS_URL": "redis://r:6379", "ESIM_ORDERS_CACHE_KEY": "short"}, "Fernet"),
        ({"ESIM_ORDERS_CACHE_KEY": Fernet.generate_key().decode()}, "REDIS_URL is not"),
    ],
)
def test_wrong_redis_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"ESIM_ORDERS_PROVIDERS": "sandbox", **env})


def test_the_redis_url_and_key_never_show_in_a_repr() -> None:
    key = Fernet.generate_key().decode()
    url = "redis://:a-redis-password@redis.internal:6379/0"
    settings = Settings.from_env(
        {
            "ESIM_ORDERS_PROVIDERS": "sandbox",
            "ESIM_ORDERS_REDIS_URL": url,
            "ESIM_ORDERS_CACHE_KEY": key,
        }
    )
    assert settings.redis_url == url and settings.cache_key == key
    assert "a-redis-password" not in repr(settings) and key not in repr(settings)
