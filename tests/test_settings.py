"""Configuration from the environment: what is on, and one-line errors for what is off."""

from __future__ import annotations

import pytest

from esim_orders.errors import ConfigError
from esim_orders.models import Provider
from esim_orders.providers.zim.settings import ZIM_PRODUCTION_BASE_URL, ZIM_PRODUCTION_TOKEN_URL
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

PRESSONE = {
    "PRESSONE_BASE_URL": "https://p.test/",
    "PRESSONE_CLIENT_ID": "id",
    "PRESSONE_CLIENT_SECRET": "s3cret",
}
ZIM = {"ZIM_CLIENT_ID": "zid", "ZIM_CLIENT_SECRET": "zs3cret"}


def test_nothing_set_means_the_embedded_sandbox_for_both_providers():
    settings = Settings.from_env({})
    assert settings.sandbox and settings.providers == (Provider.PRESSONE, Provider.ZIM)
    assert "no provider is configured" in settings.sandbox_reason


def test_a_provider_is_on_when_its_settings_are_set():
    settings = Settings.from_env(PRESSONE)
    assert not settings.sandbox and settings.providers == (Provider.PRESSONE,)
    assert settings.accounts[Provider.PRESSONE].base_url == "https://p.test"


def test_zim_urls_default_to_production_and_app_identifier_to_b2b():
    zim = Settings.from_env(ZIM).accounts[Provider.ZIM]
    assert (zim.base_url, zim.token_url, zim.app_identifier) == (
        ZIM_PRODUCTION_BASE_URL,
        ZIM_PRODUCTION_TOKEN_URL,
        "b2b",
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PRESSONE_BASE_URL": "https://p.test"}, "PRESSONE_CLIENT_ID"),
        ({"PRESSONE_CLIENT_ID": "x", "PRESSONE_CLIENT_SECRET": "y"}, "PRESSONE_BASE_URL"),
        ({"ZIM_CLIENT_ID": "x"}, "ZIM_CLIENT_SECRET"),
        ({"ZIM_BASE_URL": "https://z.test"}, "ZIM_BASE_URL"),
        ({"ESIM_ORDERS_PROVIDERS": "zim"}, "ZIM_CLIENT_ID"),
        ({"ESIM_ORDERS_PROVIDERS": "pressone,zim", **ZIM}, "PRESSONE_BASE_URL"),
        ({"ESIM_ORDERS_PROVIDERS": "acme"}, "ESIM_ORDERS_PROVIDERS"),
        ({"ESIM_ORDERS_PROVIDERS": "sandbox,zim", **ZIM}, "ESIM_ORDERS_PROVIDERS"),
        ({**PRESSONE, "PRESSONE_BASE_URL": "ftp://x"}, "PRESSONE_BASE_URL"),
        ({"ESIM_ORDERS_LOG_LEVEL": "loud"}, "ESIM_ORDERS_LOG_LEVEL"),
        ({"ESIM_ORDERS_PERSONAL_DATA": "maybe"}, "ESIM_ORDERS_PERSONAL_DATA"),
    ],
)
def test_half_set_config_is_a_one_line_error_naming_the_variable(env, named):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert named in str(caught.value) and "\n" not in str(caught.value)


def test_providers_list_picks_among_configured_providers():
    settings = Settings.from_env({**PRESSONE, **ZIM, "ESIM_ORDERS_PROVIDERS": "zim"})
    assert settings.providers == (Provider.ZIM,)


def test_providers_list_can_ask_for_the_sandbox_even_with_credentials_set():
    settings = Settings.from_env({**PRESSONE, "ESIM_ORDERS_PROVIDERS": "sandbox"})
    assert settings.sandbox


def test_secrets_stay_out_of_the_settings_repr():
    text = repr(Settings.from_env({**PRESSONE, **ZIM, "ZIM_APP_IDENTIFIER": "app-secret"}))
    assert "s3cret" not in text and "zs3cret" not in text and "app-secret" not in text


def test_personal_data_is_opt_in():
    assert not Settings.from_env({}).personal_data
    assert Settings.from_env({"ESIM_ORDERS_PERSONAL_DATA": "1"}).personal_data


async def test_the_provider_deadline_is_a_setting_that_reaches_the_retry_policy():
    settings = Settings.from_env({"ESIM_ORDERS_PROVIDER_DEADLINE_SECONDS": "7.5"})
    assert settings.provider_deadline_seconds == 7.5
    async with open_service(settings) as service:
        assert {c.gateway.policy.deadline for c in service.clients.values()} == {7.5}
    assert Settings.from_env({}).provider_deadline_seconds == 30
    with pytest.raises(ConfigError, match="ESIM_ORDERS_PROVIDER_DEADLINE_SECONDS"):
        Settings.from_env({"ESIM_ORDERS_PROVIDER_DEADLINE_SECONDS": "0"})


def test_a_stopping_server_gives_calls_25_seconds_unless_told_otherwise():
    assert Settings.from_env({}).shutdown_grace_seconds == 25.0
    env = {"ESIM_ORDERS_SHUTDOWN_GRACE_SECONDS": "2.5"}
    assert Settings.from_env(env).shutdown_grace_seconds == 2.5
    with pytest.raises(ConfigError, match="ESIM_ORDERS_SHUTDOWN_GRACE_SECONDS"):
        Settings.from_env({"ESIM_ORDERS_SHUTDOWN_GRACE_SECONDS": "0"})
