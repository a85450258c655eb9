"""explain_failure over the sandbox's orders at a pinned time: failures, stuck states, coverage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from esim_orders.cli import CLI
from esim_orders.failures import Thresholds, explain_order, load_catalogue
from esim_orders.failures.catalogue import TOOL_NAMES
from esim_orders.failures.esims import RANKS, explain_esims
from esim_orders.models import OrderStatus, SubscriptionStatus
from esim_orders.tools.explain_failure import explain_failure, worded
from esim_orders.tools.terms import MCP
from esim_orders.widgets.errors import WIDGETS

CATALOGUE = load_catalogue()
DEFAULTS = Thresholds()
# State entries the sandbox's providers cannot show, and why.
NOT_IN_SANDBOX = {
    "any:ESIM_DOWNLOADED_STUCK": "no sandbox provider reports an eSIM status",
    "zim:SUBSCRIPTION_PROCESSING_STUCK": "sandbox subscriptions are PROCESSING only minutes old",
}
WAITING = {
    "PROCESSING": DEFAULTS.processing,
    "PENDING_PAYMENT": DEFAULTS.pending,
    "PENDING_APPROVAL": DEFAULTS.pending,
    "IN_BASKET": DEFAULTS.pending,
}


def _documented_reasons(provider):
    return {
        e.code
        for e in CATALOGUE.entries
        if e.kind == "failure_reason" and e.provider in (provider, "any")
    }


async def test_every_failed_order_is_explained_with_next_steps(sandbox_orders, now):
    failed = [o for o in sandbox_orders if o.status is OrderStatus.FAILED]
    assert failed
    for order in failed:
        expl = explain_order(order, now, DEFAULTS)
        assert expl.something_wrong and expl.outcome == "failed", order.ref
        assert expl.next_steps and expl.who_acts and expl.retry, order.ref
        assert expl.escalation_note and order.id in expl.escalation_note
        reason = order.failure.reason_code if order.failure else None
        if reason in _documented_reasons(order.provider):
            assert expl.confidence == "known_code"
            assert expl.entry == f"{order.provider.value}:{reason}"
        elif reason:
            assert expl.confidence == "unknown" and expl.entry == "generic:failed_unknown_reason"
            assert reason in (expl.provider_text or "")
        else:
            # No reason (every PressOne failure, and one Zim order): read from the state.
            assert expl.confidence == "inferred_from_state"
            assert "inferred" in expl.diagnosis
            assert expl.impact.esim_issued == ("no" if not order.esims else "yes")


async def test_waiting_orders_count_as_stuck_exactly_past_their_threshold(sandbox_orders, now):
    seen = {"fresh": set(), "stuck": set()}
    for order in sandbox_orders:
        limit = WAITING.get(order.provider_status or "")
        if limit is None:
            continue
        age = now - (order.updated_at or order.created_at)
        expl = explain_order(order, now, DEFAULTS)
        if age > limit:
            assert expl.outcome == "stuck" and expl.something_wrong, order.ref
            assert expl.entry.endswith("_STUCK")
            assert any(e.field == "time_in_state" for e in expl.evidence)
            seen["stuck"].add(order.provider_status)
        else:
            assert expl.outcome == "ok" and not expl.something_wrong, order.ref
            assert expl.escalation_note is None
            assert expl.diagnosis.startswith("Nothing has failed yet")
            seen["fresh"].add(order.provider_status)
    assert {"PROCESSING", "PENDING_PAYMENT"} <= seen["fresh"]
    assert {"PROCESSING", "PENDING_PAYMENT", "IN_BASKET"} <= seen["stuck"]


async def test_a_fresh_processing_order_becomes_stuck_only_as_it_ages(sandbox_orders, now):
    fresh = next(
        o
        for o in sandbox_orders
        if o.status is OrderStatus.PROCESSING and now - o.updated_at < timedelta(minutes=10)
    )
    assert explain_order(fresh, now, DEFAULTS).outcome == "ok"
    assert explain_order(fresh, now + timedelta(hours=1), DEFAULTS).outcome == "stuck"
    lenient = Thresholds(processing=timedelta(hours=2))
    assert explain_order(fresh, now + timedelta(hours=1), lenient).outcome == "ok"


async def test_the_sandbox_shows_every_documented_reason_and_every_state_it_can(
    sandbox_orders, now
):
    explained = [(o, explain_order(o, now, DEFAULTS)) for o in sandbox_orders]
    reached = {e.entry for _, e in explained}
    documented = {e.key for e in CATALOGUE.entries if e.kind == "failure_reason"}
    assert documented <= reached, sorted(documented - reached)
    assert any(
        o.failure and o.failure.reason_code and e.entry == "generic:failed_unknown_reason"
        for o, e in explained
    ), "the sandbox has an order with an undocumented failure reason"
    # The eSIM states need the eSIMs read: tests/failures/test_esims_sandbox.py reaches them.
    states = {
        e.key
        for e in CATALOGUE.entries
        if e.kind == "state" and e.code not in RANKS and e.key not in NOT_IN_SANDBOX
    }
    assert states <= reached, sorted(states - reached)
    assert {"generic:unknown_status", "generic:failed_no_reason"} <= reached


async def test_completed_orders_say_nothing_failed_in_plain_words(sandbox_orders, now):
    completed = [o for o in sandbox_orders if o.status is OrderStatus.COMPLETED]
    for order in completed:
        expl = explain_order(order, now, DEFAULTS)
        sub = order.subscription
        if sub and sub.status in (SubscriptionStatus.DEPLETED, SubscriptionStatus.EXPIRED):
            assert expl.outcome == "attention"
            assert expl.entry == f"zim:SUBSCRIPTION_{sub.status.value}"
            continue
        assert expl.outcome == "ok" and not expl.something_wrong
        assert expl.diagnosis.startswith("Nothing failed")
        assert expl.escalation_note is None and expl.retry is None
        if sub:
            assert CATALOGUE.plain.subscription[sub.status.value] in expl.diagnosis
        if order.esims:
            assert "eSIM" in expl.diagnosis and expl.impact.esim_issued == "yes"


@pytest.mark.parametrize(
    ("ref", "entry", "outcome"),
    [
        # The seed page's own examples.
        ("zim:ordr_FaiL1234567890abcdEFG", "zim:PLAN_NOT_FOUND", "failed"),
        ("zim:ordr_QwErTyUiOpAsDfGhJkLZx", "any:PROCESSING_STUCK", "stuck"),
        ("zim:ordr_GMAVA4ISiqfWSG0ArGOzB", None, "ok"),
    ],
)
async def test_the_tool_reads_the_order_through_the_service(
    sandbox_service, now, ref, entry, outcome
):
    assert sandbox_service.thresholds == DEFAULTS
    expl = await explain_failure(sandbox_service, ref=ref)
    assert (expl.ref, expl.entry, expl.outcome) == (ref, entry, outcome)
    assert expl.checked_at == now


async def test_the_tool_explains_every_sandbox_order(sandbox_service, sandbox_orders, now):
    assert sandbox_service.thresholds == DEFAULTS
    for order in sandbox_orders[:: max(1, len(sandbox_orders) // 40)]:
        expl = await explain_failure(sandbox_service, ref=order.ref)
        if order.status is OrderStatus.COMPLETED:
            # A completed order is explained by its eSIMs, read through the same service.
            esims = await sandbox_service.order_esims(order)
            assert expl == worded(explain_esims(order, esims, now, DEFAULTS), MCP)
        else:
            assert expl == worded(explain_order(order, now, DEFAULTS), MCP)


async def test_the_advice_names_tools_as_each_face_reaches_them(sandbox_service, sandbox_orders):
    """A waiting order's step says how to look again: over MCP the tool, on the command line
    the command, in the explorer the order's card; never a placeholder."""
    waiting = next(o for o in sandbox_orders if o.status is OrderStatus.PROCESSING)
    steps = {
        name: " ".join((await explain_failure(sandbox_service, ref=waiting.ref, **kw)).next_steps)
        for name, kw in {"mcp": {}, "cli": {"terms": CLI}, "explorer": {"terms": WIDGETS}}.items()
    }
    assert "check again with explain_failure." in steps["mcp"]
    assert "check again with `esim-orders orders explain`." in steps["cli"]
    assert "check again with the order's card." in steps["explorer"]
    assert not any("{" in said for said in steps.values()), steps


def test_every_tool_the_catalogue_names_has_each_face_s_words():
    """A tool named in advice that a face has no words for would reach its users as the
    MCP tool's name (a command-line user cannot call explain_failure)."""
    named = {
        tool
        for entry in [*CATALOGUE.entries, *CATALOGUE.generic.values()]
        for text in entry.templated()
        for tool in TOOL_NAMES
        if "{" + tool + "}" in text
    }
    assert named >= {"list_orders", "explain_failure"}
    for terms in (CLI, WIDGETS):
        assert set(TOOL_NAMES) <= set(terms.names)
