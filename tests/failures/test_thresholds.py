"""Stuck thresholds: defaults, read once into settings, carried by the service built from
them; the tool measures with the service's thresholds and clock, never the environment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from esim_orders.errors import ConfigError
from esim_orders.failures import Thresholds
from esim_orders.models import OrderStatus
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings
from esim_orders.tools.explain_failure import explain_failure


def test_defaults_are_thirty_minutes_processing_and_a_day_pending():
    from_env = Thresholds.from_settings(Settings.from_env({}))
    assert Thresholds() == from_env == Thresholds.from_settings(Settings())
    assert Thresholds().processing == timedelta(minutes=30)
    assert Thresholds().pending == timedelta(hours=24)
    assert Thresholds().downloaded == timedelta(hours=24)


def test_the_environment_sets_them_through_settings():
    env = {
        "ESIM_ORDERS_STUCK_PROCESSING_MINUTES": "90",
        "ESIM_ORDERS_STUCK_PENDING_HOURS": "2.5",
        "ESIM_ORDERS_STUCK_DOWNLOADED_HOURS": "48",
    }
    settings = Settings.from_env(env)
    assert (
        settings.stuck_processing_minutes,
        settings.stuck_pending_hours,
        settings.stuck_downloaded_hours,
    ) == (90, 2.5, 48)
    assert Thresholds.from_settings(settings) == Thresholds(
        processing=timedelta(minutes=90),
        pending=timedelta(hours=2.5),
        downloaded=timedelta(hours=48),
    )


@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan", "inf"])
def test_a_bad_threshold_is_a_config_error_naming_the_variable(value):
    with pytest.raises(ConfigError, match="ESIM_ORDERS_STUCK_PENDING_HOURS"):
        Settings.from_env({"ESIM_ORDERS_STUCK_PENDING_HOURS": value})


async def test_a_service_opened_from_settings_carries_their_thresholds():
    settings = Settings.from_env({"ESIM_ORDERS_STUCK_PROCESSING_MINUTES": "120"})
    async with open_service(settings) as service:
        assert service.thresholds == Thresholds(processing=timedelta(minutes=120))
    async with open_service(Settings.from_env({})) as service:
        assert service.thresholds == Thresholds()


async def test_the_tool_measures_with_the_services_thresholds_and_clock_only(
    monkeypatch, make_order, stub_service, now
):
    order = make_order("zim", OrderStatus.PROCESSING, age=timedelta(hours=1))
    service = stub_service(order)
    service.thresholds = Thresholds(processing=timedelta(minutes=120))
    assert (await explain_failure(service, ref=order.ref)).outcome == "ok"
    monkeypatch.setenv("ESIM_ORDERS_STUCK_PROCESSING_MINUTES", "10")
    assert (await explain_failure(service, ref=order.ref)).outcome == "ok", "no environment read"
    service.thresholds = Thresholds(processing=timedelta(minutes=10))
    assert (await explain_failure(service, ref=order.ref)).outcome == "stuck"
    service.now = lambda: now - timedelta(minutes=55)
    expl = await explain_failure(service, ref=order.ref)
    assert (expl.outcome, expl.checked_at) == ("ok", now - timedelta(minutes=55))
