"""Stuck thresholds: configuration with defaults, read once from the environment or settings,
pinned per call in tests."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest

from esim_orders.client.errors import ConfigError
from esim_orders.failures import Thresholds
from esim_orders.models import OrderStatus
from esim_orders.settings import Settings
from esim_orders.tools.explain_failure import explain_failure, pinned

# The module itself: `esim_orders.tools.explain_failure` the attribute is the tool function.
module = importlib.import_module("esim_orders.tools.explain_failure")


def test_defaults_are_thirty_minutes_processing_and_a_day_pending():
    assert Thresholds() == Thresholds.from_env({}) == Thresholds.from_settings(Settings())
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
    assert Thresholds.from_env(env) == Thresholds(
        processing=timedelta(minutes=90),
        pending=timedelta(hours=2.5),
        downloaded=timedelta(hours=48),
    )


@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan", "inf"])
def test_a_bad_threshold_is_a_config_error_naming_the_variable(value):
    with pytest.raises(ConfigError, match="ESIM_ORDERS_STUCK_PENDING_HOURS"):
        Settings.from_env({"ESIM_ORDERS_STUCK_PENDING_HOURS": value})


async def test_the_tool_reads_the_environment_once_unless_configured(
    monkeypatch, make_order, stub_service, now
):
    order = make_order("zim", OrderStatus.PROCESSING, age=timedelta(hours=1))
    service = stub_service(order)
    monkeypatch.setattr(module, "_configured", None)
    monkeypatch.setenv("ESIM_ORDERS_STUCK_PROCESSING_MINUTES", "120")
    with pinned(now=now):
        assert (await explain_failure(service, ref=order.ref)).outcome == "ok"
        monkeypatch.setenv("ESIM_ORDERS_STUCK_PROCESSING_MINUTES", "10")
        assert (await explain_failure(service, ref=order.ref)).outcome == "ok", "read once"
        module.configure(Thresholds(processing=timedelta(minutes=10)))
        assert (await explain_failure(service, ref=order.ref)).outcome == "stuck"
    with pinned(now=now, thresholds=Thresholds(processing=timedelta(hours=3))):
        assert (await explain_failure(service, ref=order.ref)).outcome == "ok", "pinned wins"
