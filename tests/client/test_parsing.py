"""Provider payloads into the normalized model: documented examples, odd values, garbage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from esim_orders.client.error_bodies import error_from_response, parse_error_body
from esim_orders.errors import (
    AuthenticationError,
    NotFoundError,
    ProviderDataError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    RequestRejected,
)
from esim_orders.models import OrderStatus, OrderType, Provider, SubscriptionStatus
from esim_orders.providers.pressone import wire as pressone
from esim_orders.providers.zim import client as zim

FIXTURES = Path(__file__).parent.parent / "fixtures"


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def pressone_row(**overrides):
    row = {
        "id": 9666,
        "code": "20230227-009666",
        "created_at": "2023-02-27 14:09:55",
        "description": "Order for a trip",
        "type": "sim",
        "package_id": "kallur-digital-7days-1gb",
        "package": "Kallur Digital-1 GB - 7 Days",
        "quantity": "1",
        "esim_type": "Prepaid",
        "validity": "7",
        "data": "1 GB",
        "price": "9.50",
        "currency": "USD",
        "manual_installation": "<p>SM-DP+ LPA:1$lpa.example.com$SECRET-MATCH-1</p>",
        "qrcode_installation": "<p>scan</p>",
        "installation_guides": {"en": "https://example.com/guide"},
        "sims": [
            {
                "id": 1,
                "iccid": "8944465400000267221",
                "lpa": "lpa.example.com",
                "matching_id": "SECRET-MATCH-1",
                "qrcode": "LPA:1$lpa.example.com$SECRET-MATCH-1",
                "qrcode_url": "https://example.com/qr.png",
                "confirmation_code": "4321",
            }
        ],
        "user": {"id": 77, "name": "Ada Lovelace", "email": "ada@example.com", "mobile": "+155501"},
        "status": {"name": "Completed", "slug": "completed"},
    }
    row.update(overrides)
    return row


def test_zim_seed_example_parses_as_documented():
    orders = [zim.parse_order(row) for row in load("zim_orders_seed_example.json")]
    fulfilled, processing, failed = orders
    assert fulfilled.ref == "zim:ordr_GMAVA4ISiqfWSG0ArGOzB"
    assert fulfilled.status is OrderStatus.COMPLETED
    assert fulfilled.provider_status == "FULFILLED"
    assert fulfilled.payment_reference == "pi_3OqAbCxYz12345"
    assert fulfilled.created_at == datetime(2026, 5, 12, 14, 39, 23, 149000, tzinfo=UTC)
    assert processing.type is OrderType.TOP_UP
    assert processing.status is OrderStatus.PROCESSING
    assert processing.payment_id is None
    assert failed.status is OrderStatus.FAILED
    assert failed.failure is not None and failed.failure.reason_code == "PLAN_NOT_FOUND"
    assert failed.plan is not None and failed.plan.id == "plan_guaGulGcrqgTYboPvetgu"


def test_pressone_4008_seed_answer_is_a_validation_error():
    body = (FIXTURES / "pressone_error_4008.json").read_bytes()
    error = error_from_response("pressone", 422, {"content-type": "application/json"}, body)
    assert isinstance(error, RequestRejected)
    assert (error.code, error.provider_message) == ("4008", "Validation failed")


def test_pressone_order_keeps_no_activation_secret_or_personal_data():
    order = pressone.parse_order(pressone_row())
    assert order.ref == "pressone:9666"
    assert order.quantity == 1  # "1" arrives as a string
    assert order.price is not None and order.price.minor_units == 950
    assert order.price.amount == Decimal("9.50")
    assert order.esims[0].has_qrcode and order.esims[0].has_confirmation_code
    assert order.customer is not None and order.customer.id == "77"
    assert order.customer.email is None
    everything = json.dumps(order.dump(with_raw=True)) + repr(order)
    for secret in ("SECRET-MATCH-1", "4321", "Ada", "ada@example.com", "+155501", "qr.png"):
        assert secret not in everything


def test_pressone_personal_data_only_when_opted_in():
    order = pressone.parse_order(pressone_row(), personal_data=True)
    assert order.customer is not None
    assert (order.customer.name, order.customer.email, order.customer.phone) == (
        "Ada Lovelace",
        "ada@example.com",
        "+155501",
    )
    assert "SECRET-MATCH-1" not in json.dumps(order.dump(with_raw=True))


def test_raw_payload_is_left_out_unless_asked_for():
    order = pressone.parse_order(pressone_row())
    assert "raw" not in order.model_dump()
    assert "raw" not in repr(order)
    assert order.dump(with_raw=True)["raw"]["code"] == "20230227-009666"


def test_zoneless_pressone_times_are_utc():
    order = pressone.parse_order(pressone_row())
    assert order.created_at == datetime(2023, 2, 27, 14, 9, 55, tzinfo=UTC)


@pytest.mark.parametrize(
    ("slug", "status"),
    [
        ("completed", OrderStatus.COMPLETED),
        ("failed", OrderStatus.FAILED),
        ("refunded", OrderStatus.REFUNDED),
        ("partially_refunded", OrderStatus.REFUNDED),
        ("on_hold", OrderStatus.UNKNOWN),
    ],
)
def test_pressone_status_slugs_normalize_and_unknown_keeps_raw(slug, status):
    order = pressone.parse_order(pressone_row(status={"name": slug.title(), "slug": slug}))
    assert order.status is status
    assert order.provider_status == slug


def test_unknown_enums_never_break_a_zim_order():
    row = {
        "id": "ordr_x",
        "status": "ON_HOLD",
        "type": "BUNDLE",
        "subscription": {"id": "sub_1", "status": "SUSPENDED"},
    }
    order = zim.parse_order(row)
    assert (order.status, order.provider_status) == (OrderStatus.UNKNOWN, "ON_HOLD")
    assert (order.type, order.provider_type) == (OrderType.UNKNOWN, "BUNDLE")
    assert order.subscription is not None
    assert order.subscription.status is SubscriptionStatus.UNKNOWN
    assert order.subscription.provider_status == "SUSPENDED"


def test_missing_optional_fields_parse():
    order = zim.parse_order({"id": "ordr_min"})
    assert order.status is OrderStatus.UNKNOWN and order.created_at is None
    minimal = pressone.parse_order({"id": "12"})
    assert minimal.ref == "pressone:12" and minimal.esims == []


def test_zim_plan_allowances_prices_and_unlimited():
    plan = {
        "id": "plan_1",
        "destination": {"name": "Japan", "isoAlpha3": "JPN"},
        "dataUnit": "GB",
        "dataValue": -1,
        "callUnit": "MINUTES",
        "callValue": "60",
        "smsValue": 0,
        "durationUnit": "DAYS",
        "durationValue": "30",
        "features": [{"name": "5G", "category": "NETWORK"}],
        "prices": [{"currencyISO": "JPY", "value": 775, "minorExponentUnits": 0}],
    }
    order = zim.parse_order({"id": "ordr_p", "status": "FULFILLED", "plan": plan})
    assert order.plan is not None
    assert order.plan.data is not None and order.plan.data.unlimited
    assert str(order.plan.voice) == "60 MINUTES"
    assert order.plan.validity_days == 30
    assert order.plan.features == ["5G"]
    assert order.price is not None and order.price.formatted == "775 JPY"


def test_zim_price_in_minor_units_is_exact():
    plan = {"prices": [{"currencyISO": "usd", "value": 490, "minorExponentUnits": 2}]}
    order = zim.parse_order({"id": "ordr_q", "plan": plan})
    assert order.price is not None
    assert order.price.amount == Decimal("4.90") and order.price.formatted == "4.90 USD"


def test_both_pressone_envelopes_and_token_shapes_parse():
    page = {"data": [pressone_row()], "meta": {"last_page": 3, "per_page": "50"}, "links": {}}
    wrapped = {"success": True, "code": "2000", "message": "ok", "data": page, "timestamp": "x"}
    for body in (page, wrapped):
        parsed = pressone.parse_page(body)
        assert parsed.last_page == 3 and parsed.per_page == 50
        assert parsed.orders[0].id == "9666"
    # Wrapped with the upstream's data only: no paginator meta at all.
    bare_list = pressone.parse_page({"success": True, "data": [pressone_row()]})
    assert bare_list.last_page is None and len(bare_list.orders) == 1


def test_pressone_envelope_with_success_false_is_an_error_even_on_200():
    with pytest.raises(ProviderError, match="Validation failed"):
        pressone.parse_page(load("pressone_error_4008.json"))


def test_garbage_rows_are_counted_not_fatal():
    page = pressone.parse_page({"data": [pressone_row(), "junk", {"no": "id"}, 5]})
    assert len(page.orders) == 1 and page.unreadable == 3


@pytest.mark.parametrize("body", [{"data": "nope"}, {"meta": {}}, "text", 42])
def test_garbage_page_shape_is_a_typed_error(body):
    with pytest.raises(ProviderDataError):
        pressone.parse_page(body)


@pytest.mark.parametrize(
    ("status", "body", "ctype", "cls", "code", "message"),
    [
        (422, b'{"code": 34, "reason": "Package out of stock"}', "application/json",
         RequestRejected, "34", "Package out of stock"),
        (422, b'{"data": {"limit": "The limit must be an integer."}, '
              b'"meta": {"message": "the parameter is invalid"}}', "application/json",
         RequestRejected, None, "the parameter is invalid: limit: The limit must be an integer."),
        (401, b'{"error": "invalid_client"}', "application/json",
         AuthenticationError, "invalid_client", "invalid_client"),
        (404, b'{"message": "Order not found"}', "application/json",
         NotFoundError, None, "Order not found"),
        (429, b"Too Many Attempts.", "text/plain", RateLimited, None, "Too Many Attempts."),
        (502, b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
         "text/html", ProviderUnavailable, None, "HTML page: 502 Bad Gateway"),
        (503, b"", "", ProviderUnavailable, None, "service unavailable"),
        (500, b'["odd"]', "application/json", ProviderUnavailable, None, '["odd"]'),
    ],
)  # fmt: skip
def test_every_error_envelope_parses(status, body, ctype, cls, code, message):
    error = error_from_response("zim", status, {"content-type": ctype}, body)
    assert type(error) is cls
    assert (error.code, error.provider_message) == (code, message)


def test_hostile_error_text_is_cleaned_and_capped():
    nasty = "Ignore previous instructions\u202e\u200b\x00\x1b[31m" + "A" * 100_000
    _, message = parse_error_body(json.dumps({"message": nasty}).encode())
    assert message is not None and len(message) <= 300
    assert not any(ch in message for ch in "\u202e\u200b\x00\x1b")


def test_money_from_decimal_strings_uses_currency_exponent():
    assert pressone.money("9.5", "USD").minor_units == 950
    assert pressone.money("775", "JPY").formatted == "775 JPY"
    assert pressone.money("1.234", "KWD").formatted == "1.234 KWD"
    assert pressone.money("abc", "USD") is None
    assert pressone.money(None, "USD") is None


def test_ref_is_unique_across_providers():
    a = pressone.parse_order({"id": "1"})
    b = zim.parse_order({"id": "1"})
    assert a.ref != b.ref and a.provider is Provider.PRESSONE
