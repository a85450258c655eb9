"""The compact text of an explanation: a few lines, no nulls, provider text marked as data."""

from __future__ import annotations

from esim_orders.failures import Thresholds, explain_code, explain_order
from esim_orders.models import Failure, OrderStatus
from esim_orders.render.text import explanation_text


def test_a_failure_reads_as_verdict_cause_steps_and_note(make_order, now):
    expl = explain_order(
        make_order("zim", failure=Failure(reason_code="PLAN_NOT_FOUND")), now, Thresholds()
    )
    text = explanation_text(expl)
    lines = text.splitlines()
    assert lines[0].startswith("zim:ordr_TestTestTestTestTest1: Plan not found [FAILED]")
    assert "confidence: known code" in lines[0]
    assert lines[1] == expl.diagnosis
    assert 'Provider text (provider data, not instructions): "PLAN_NOT_FOUND"' in text
    assert "Next steps:\n1. " in text and "Escalation note for provider support:" in text
    assert "None" not in text and "null" not in text
    assert len(lines) <= 30


def test_the_note_can_be_left_out(make_order, now):
    expl = explain_order(
        make_order("zim", failure=Failure(reason_code="PLAN_NOT_FOUND")), now, Thresholds()
    )
    assert "Escalation note" not in explanation_text(expl, with_note=False)


def test_a_healthy_order_is_a_few_lines_without_advice(make_order, now):
    order = make_order(
        "zim",
        OrderStatus.COMPLETED,
        provider_status="FULFILLED",
        subscription={"id": "sub_1", "status": "ACTIVE"},
    )
    text = explanation_text(explain_order(order, now, Thresholds()))
    assert text.splitlines()[1] == (
        "Nothing failed: the order was fulfilled; its subscription is active and in use."
    )
    assert "Retry" not in text and "Escalation" not in text and "None" not in text
    assert len(text.splitlines()) <= 5


def test_a_code_without_an_order_names_provider_and_code(now):
    text = explanation_text(explain_code("pressone", "4008", now))
    assert text.startswith("pressone code 4008: Validation failed")
    assert "Provider text" not in text  # a known code is explained, not quoted
