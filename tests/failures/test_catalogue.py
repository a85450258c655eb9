"""The catalogue file: it loads and validates, every entry is complete, and every entry (and
every generic text) can be reached through the explain_failure tool."""

from __future__ import annotations

import re
from datetime import timedelta
from importlib import resources

import pydantic
import pytest

from esim_orders.esim_models import EsimState, EsimStatus, Quota, Unread
from esim_orders.failures import load_catalogue
from esim_orders.failures.catalogue import CATEGORIES, GENERIC_NAMES, parse_catalogue
from esim_orders.models import Esim, OrderStatus, Provider
from esim_orders.tools.explain_failure import explain_failure

from ..helpers import NOW

CATALOGUE = load_catalogue()
ENTRIES = {entry.key: entry for entry in CATALOGUE.entries}
SOURCES = tuple(name for names in CATALOGUE.sources.values() for name in names)
LONG_AGO = timedelta(days=3)


def test_the_catalogue_ships_in_the_package_and_loads_once():
    assert resources.files("esim_orders.failures").joinpath("catalogue.toml").is_file()
    assert load_catalogue() is load_catalogue()


def test_the_catalogue_covers_what_the_issue_lists():
    required = {"zim:PLAN_NOT_FOUND", "pressone:4008"}
    required |= {f"pressone:{c}" for c in (11, 13, 14, 23, 33, 34, 43, 53, 73, 89)}
    required |= {f"any:{c}" for c in (401, 403, 404, 409, 422, 429)} | {"any:5xx"}
    required |= {
        "any:PROCESSING_STUCK",
        "zim:PENDING_PAYMENT_STUCK",
        "zim:PENDING_APPROVAL_STUCK",
        "zim:IN_BASKET_STUCK",
        "zim:REPLACED",
        "zim:CANCELLED",
        "zim:SUBSCRIPTION_DEPLETED",
        "zim:SUBSCRIPTION_EXPIRED",
        "any:ESIM_DOWNLOADED_STUCK",
        "pressone:FAILED",
        "pressone:REFUNDED",
        "pressone:PARTIALLY_REFUNDED",
    }
    assert required <= set(ENTRIES), sorted(required - set(ENTRIES))
    assert set(CATALOGUE.generic) == set(GENERIC_NAMES)


@pytest.mark.parametrize(
    "advice",
    [*CATALOGUE.entries, *CATALOGUE.generic.values()],
    ids=[*ENTRIES, *(f"generic:{n}" for n in CATALOGUE.generic)],
)
def test_lint_every_entry_is_complete(advice):
    assert advice.category in CATEGORIES
    assert advice.retry in ("yes", "no", "later", "after_fix")
    assert advice.next_steps and all(step.strip() for step in advice.next_steps)
    assert advice.who_acts
    assert advice.references
    for reference in advice.references:
        assert reference.startswith(SOURCES), f"reference names no source: {reference!r}"
    assert advice.diagnosis.endswith("."), "the diagnosis is one full sentence"
    assert advice.diagnosis.count(". ") == 0, "the diagnosis is one sentence"
    if any("support" in step for step in advice.next_steps):
        assert advice.ask_support, "a step sends the reader to support: say what to ask"
    if advice.impact.charged == "unknown" or advice.impact.esim_issued == "unknown":
        assert advice.impact.note, "say why it is unknown"


def test_codes_are_one_per_provider_and_http_entries_are_three_digit_classes():
    for entry in CATALOGUE.entries:
        if entry.kind == "http_status":
            assert entry.provider == "any"
            assert all(re.fullmatch(r"[1-5](\d\d|xx)", c) for c in entry.codes)
        if entry.kind == "error_code" and entry.provider == "pressone" and entry.code != "4008":
            assert entry.http_status in (403, 422), "upstream business errors come as 422 (89: 403)"


def _toml_with(replace: str, by: str) -> str:
    text = resources.files("esim_orders.failures").joinpath("catalogue.toml").read_text()
    assert replace in text
    return text.replace(replace, by, 1)


@pytest.mark.parametrize(
    ("replace", "by", "complaint"),
    [
        ('category = "plan_or_package"', 'category = "weather"', "category"),
        ('retry = "after_fix"', 'retry = "maybe"', "retry"),
        (
            'references = ["Airalo Partner API v2, error codes: 11 (insufficient credit: top up '
            'the account balance)"]',
            "references = []",
            "references",
        ),
        ('    "Place the order again.",\n', '    "Place the {order} again.",\n', "placeholder"),
        ('code = "11"', 'code = "4008"', "two entries"),
        ('title = "Plan not found"', 'title = "Plan not found"\nfixme = 1', "fixme"),
        # Provider wait states: a known threshold, an existing state entry, upper-case status.
        ('threshold = "processing" }', 'threshold = "forever" }', "threshold"),
        ('state = "IN_BASKET_STUCK"', 'state = "NO_SUCH_STATE"', "no state entry"),
        ("\nIN_BASKET = {", "\nin_basket = {", "upper case"),
    ],
)
def test_a_broken_catalogue_is_rejected_when_it_loads(replace, by, complaint):
    with pytest.raises(pydantic.ValidationError, match=complaint):
        parse_catalogue(_toml_with(replace, by))


# --------------------------------------------------------------------------- reachability


def _state_probes(make_order):
    """A constructed order for each state entry; a new state entry must add one here."""
    old = {"age": LONG_AGO}
    zim_done = {"status": OrderStatus.COMPLETED, "provider_status": "FULFILLED"}

    def sub(status, **extra):
        return {"id": "sub_TestTestTestTestTest1", "esimID": "esim_X", "status": status, **extra}

    return {
        "any:PROCESSING_STUCK": make_order("zim", OrderStatus.PROCESSING, **old),
        "zim:SUBSCRIPTION_PROCESSING_STUCK": make_order(
            "zim", **zim_done, **old, subscription=sub("PROCESSING")
        ),
        "zim:PENDING_PAYMENT_STUCK": make_order(
            "zim", OrderStatus.PENDING, provider_status="PENDING_PAYMENT", **old
        ),
        "zim:PENDING_APPROVAL_STUCK": make_order(
            "zim", OrderStatus.PENDING, provider_status="PENDING_APPROVAL", **old
        ),
        "zim:IN_BASKET_STUCK": make_order(
            "zim", OrderStatus.PENDING, provider_status="IN_BASKET", **old
        ),
        "zim:REPLACED": make_order("zim", OrderStatus.REPLACED),
        "zim:CANCELLED": make_order("zim", OrderStatus.CANCELLED),
        "zim:SUBSCRIPTION_DEPLETED": make_order("zim", **zim_done, subscription=sub("DEPLETED")),
        "zim:SUBSCRIPTION_EXPIRED": make_order("zim", **zim_done, subscription=sub("EXPIRED")),
        # No provider reports an eSIM status today; the model carries one for when one does.
        "any:ESIM_DOWNLOADED_STUCK": make_order(
            "zim",
            **zim_done,
            **old,
            esims=[Esim(iccid="8944000000000000018", status="DOWNLOADED")],
        ),
        "pressone:FAILED": make_order("pressone", OrderStatus.FAILED),
        "pressone:REFUNDED": make_order(
            "pressone", OrderStatus.REFUNDED, provider_status="refunded"
        ),
        "pressone:PARTIALLY_REFUNDED": make_order(
            "pressone", OrderStatus.REFUNDED, provider_status="partially_refunded"
        ),
    }


def _esim_probes(make_order):
    """A completed order and its eSIM's state for each eSIM state entry."""
    done = {"status": OrderStatus.COMPLETED, "provider_status": "completed"}
    zim_done = {"status": OrderStatus.COMPLETED, "provider_status": "FULFILLED"}
    left = Quota(unit="MB", total=2048, remaining=767)

    def pressone(status, age=timedelta(hours=1), **state):
        order = make_order("pressone", **done, age=age)
        return order, EsimState(
            provider="pressone", iccid="8944000000000000018", status=status, **state
        )

    def zim(status, age=timedelta(hours=1), **state):
        order = make_order("zim", **zim_done, age=age)
        return order, EsimState(
            provider="zim", iccid="89440000000000000026", status=status, **state
        )

    return {
        "any:ESIM_HEALTHY": pressone(EsimStatus.ACTIVE, data=left),
        "any:ESIM_WAITING_FIRST_USE": pressone(EsimStatus.NOT_ACTIVE),
        "any:ESIM_NEVER_USED": zim(EsimStatus.RELEASED, age=timedelta(days=5)),
        "any:ESIM_UNINSTALLED": zim(EsimStatus.UNINSTALLED),
        "any:ESIM_DISABLED": zim(EsimStatus.DISABLED),
        "any:ESIM_ALLOWANCE_USED_UP": pressone(
            EsimStatus.FINISHED, data=Quota(unit="MB", total=2048, remaining=0)
        ),
        "any:ESIM_VALIDITY_OVER": pressone(EsimStatus.EXPIRED, data=left),
        "any:ESIM_RECYCLED": pressone(EsimStatus.RECYCLED, recycled=True),
        "any:ESIM_MANUAL_APN": pressone(
            EsimStatus.ACTIVE,
            data=Quota(unit="MB", total=1024, remaining=1024),
            apn_manual=True,
            apn="globaldata",
        ),
        "any:ESIM_STATE_UNKNOWN": zim(EsimStatus.UNAVAILABLE),
        "any:ESIM_USAGE_UNREADABLE": pressone(
            EsimStatus.UNKNOWN,
            unread=[Unread(fact="usage", reason="provider rate limit", retry_at=NOW)],
        ),
    }


def _generic_probes(make_order):
    """How each generic text is reached: an order, or a (provider, code) pair."""
    return {
        "failed_unknown_reason": make_order("zim", failure={"reason_code": "NETWORK_REJECTED"}),
        "failed_no_reason": make_order("zim", OrderStatus.FAILED),
        "unknown_status": make_order("zim", OrderStatus.UNKNOWN, provider_status="ON_HOLD"),
        "unknown_code": ("zim", "SOMETHING_ODD"),
        "http_4xx": ("pressone", "418"),
    }


@pytest.mark.parametrize("key", list(ENTRIES))
async def test_every_entry_is_reached_through_the_tool(key, make_order, stub_service):
    entry = ENTRIES[key]
    if entry.kind == "state":
        probes = _state_probes(make_order)
        esim_probes = _esim_probes(make_order)
        assert key in probes or key in esim_probes, (
            f"state entry {key} has no probe order: add one to _state_probes or _esim_probes"
        )
        if key in esim_probes:
            order, state = esim_probes[key]
            service = stub_service(order, esims={order.id: [state]})
        else:
            order = probes[key]
            service = stub_service(order)
        explanation = await explain_failure(service, ref=order.ref)
        assert explanation.ref == order.ref
        assert explanation.confidence == "inferred_from_state"
        reached = [explanation]
    else:
        providers = list(Provider) if entry.provider == "any" else [Provider(entry.provider)]
        service = stub_service()
        reached = [
            await explain_failure(service, provider=provider, code=code)
            for provider in providers
            for code in entry.codes
        ]
        assert all(e.confidence == "known_code" for e in reached)
    for explanation in reached:
        assert explanation.entry == key
        assert explanation.something_wrong == (entry.outcome != "ok")
        assert explanation.title == entry.title
        assert explanation.category == entry.category
        assert explanation.next_steps and explanation.references
        assert "{" not in explanation.diagnosis + "".join(explanation.next_steps)


@pytest.mark.parametrize("name", GENERIC_NAMES)
async def test_every_generic_text_is_reached_through_the_tool(name, make_order, stub_service):
    probe = _generic_probes(make_order)[name]
    if isinstance(probe, tuple):
        provider, code = probe
        explanation = await explain_failure(stub_service(), provider=provider, code=code)
    else:
        explanation = await explain_failure(stub_service(probe), ref=probe.ref)
    assert explanation.entry == f"generic:{name}"
    assert explanation.title == CATALOGUE.generic[name].title
    assert explanation.next_steps and explanation.escalation_note
    expected = "inferred_from_state" if name == "failed_no_reason" else "unknown"
    assert explanation.confidence == expected
