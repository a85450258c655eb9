"""explain_failure without an order: a provider's code, an HTTP status, or a failure reason;
and the rule that a call gives exactly one of the two forms."""

from __future__ import annotations

import pydantic
import pytest

from esim_orders.tools.errors import ToolInputError
from esim_orders.tools.explain_failure import explain_failure


async def test_pressone_4008_explains_without_an_order(stub_service):
    expl = await explain_failure(stub_service(), provider="pressone", code="4008")
    assert (expl.entry, expl.confidence, expl.category) == (
        "pressone:4008",
        "known_code",
        "request_validation",
    )
    assert expl.ref is None and expl.code == "4008"
    assert expl.retry == "after_fix" and expl.next_steps
    assert "Validation failed" in expl.diagnosis


async def test_zim_plan_not_found_explains_without_an_order(stub_service):
    expl = await explain_failure(stub_service(), provider="zim", code="plan_not_found")
    assert (expl.entry, expl.confidence) == ("zim:PLAN_NOT_FOUND", "known_code")
    assert expl.who_acts == ["partner_operations"]


@pytest.mark.parametrize(
    ("code", "entry", "retry"),
    [
        ("429", "any:429", "later"),
        ("HTTP 429", "any:429", "later"),
        ("503", "any:5xx", "later"),
        ("http_502", "any:5xx", "later"),
        ("599", "any:5xx", "later"),
        ("401", "any:401", "after_fix"),
        ("403", "any:403", "after_fix"),
    ],
)
async def test_http_status_codes_explain_for_either_provider(stub_service, code, entry, retry):
    for provider in ("pressone", "zim"):
        expl = await explain_failure(stub_service(), provider=provider, code=code)
        assert (expl.entry, expl.retry, expl.confidence) == (entry, retry, "known_code")


async def test_upstream_codes_belong_to_pressone_only(stub_service):
    pressone = await explain_failure(stub_service(), provider="pressone", code="34")
    zim = await explain_failure(stub_service(), provider="zim", code="34")
    assert pressone.entry == "pressone:34" and pressone.category == "plan_or_package"
    assert zim.entry == "generic:unknown_code" and zim.confidence == "unknown"


@pytest.mark.parametrize("code", ["9999", "E_WEIRD", "plan not found at all", "0"])
async def test_an_unknown_code_explains_generically_without_error(stub_service, code):
    expl = await explain_failure(stub_service(), provider="pressone", code=code)
    assert expl.entry == "generic:unknown_code" and expl.confidence == "unknown"
    assert expl.category == "unknown" and expl.something_wrong
    assert expl.provider_text == f'"{code}"'
    assert expl.next_steps and expl.escalation_note


async def test_an_unlisted_4xx_explains_as_a_client_error(stub_service):
    expl = await explain_failure(stub_service(), provider="zim", code="418")
    assert expl.entry == "generic:http_4xx" and expl.category == "request_validation"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "ref"),
        ({"ref": "zim:ordr_x", "provider": "zim"}, "ref"),
        ({"ref": "zim:ordr_x", "code": "34"}, "ref"),
        ({"provider": "pressone"}, "code"),
        ({"code": "4008"}, "provider"),
        ({"provider": "zim", "code": "\u200b\u202e\x00"}, "code"),
    ],
)
async def test_exactly_one_form_is_accepted_and_errors_name_the_field(stub_service, kwargs, field):
    with pytest.raises(ToolInputError) as caught:
        await explain_failure(stub_service(), **kwargs)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


async def test_arguments_are_validated_like_every_tool(stub_service):
    with pytest.raises(pydantic.ValidationError):
        await explain_failure(stub_service(), provider="acme", code="1")
    with pytest.raises(pydantic.ValidationError):
        await explain_failure(stub_service(), ref="zim:ordr x; drop")
    with pytest.raises(pydantic.ValidationError):
        await explain_failure(stub_service(), provider="zim", code="A" * 100_000)
