"""Reading the providers' eSIM answers into the one model: every envelope PressOne may send,
unknown words kept, unlimited shown as such, Zim's big numbers exact and floats refused, no
activation secret or phone number kept unasked."""

from __future__ import annotations

import pytest

from esim_orders.client import coerce
from esim_orders.esim_models import EsimStatus
from esim_orders.models import SubscriptionStatus
from esim_orders.providers.pressone.esims import esim_state as pressone_state
from esim_orders.providers.zim.esims import esim_state as zim_state
from esim_orders.service.wiring import open_service

from ..helpers import SANDBOX, sandbox_app, state

ICCID = "8944500000000000012"


def test_pressone_unknown_status_is_unknown_with_the_word_kept_and_unlimited_says_so() -> None:
    usage = {"status": "PAUSED", "is_unlimited": True, "remaining": 0, "total": 0}
    record = {"iccid": ICCID, "apn_type": "manual", "apn_value": "globaldata", "is_roaming": 1}
    record |= {"qrcode": "LPA:1$smdp.example$SECRET", "matching_id": "SECRET"}
    found = pressone_state(
        ICCID, {"record": record, "usage": usage, "packages": []}, order_ref=None
    )
    assert found.status is EsimStatus.UNKNOWN and found.provider_status == "PAUSED"
    assert found.data is not None and found.data.unlimited and str(found.data) == "unlimited"
    assert found.voice is None and found.sms is None  # zero voice and text: a data-only plan
    assert found.apn_manual and found.apn == "globaldata" and found.roaming_required
    assert "SECRET" not in found.model_dump_json()


def test_pressone_recycled_record_wins_over_the_usage_status() -> None:
    facts = {
        "record": {"iccid": ICCID, "recycled": True, "recycled_at": "2026-11-01 10:00:00"},
        "usage": {"status": "ACTIVE", "remaining": 10, "total": 100},
        "packages": [],
    }
    found = pressone_state(ICCID, facts, order_ref="pressone:1")
    assert found.status is EsimStatus.RECYCLED and found.recycled_at is not None


@pytest.mark.parametrize("envelope", ["bare", "wrapped", "wrapped-data"])
async def test_pressone_esim_reads_accept_every_envelope(envelope: str) -> None:
    app = sandbox_app(orders=20, pressone_envelope=envelope)
    order = next(o for o in state(app).data.pressone.orders if o.status == "completed" and o.iccids)
    async with open_service(SANDBOX, sandbox_app=app) as service:
        found = await service.esim_by_iccid(order.iccids[0])
    assert found.iccid == order.iccids[0] and found.status is not EsimStatus.UNKNOWN
    assert found.packages and found.data is not None and not found.unread


def test_zim_numbers_stay_exact_and_a_float_is_refused() -> None:
    twenty = 89865127467335112495
    assert coerce.digits(twenty) == "89865127467335112495"
    assert coerce.digits(float(twenty)) is None  # already rounded: never shown as if exact
    assert coerce.digits("0089") == "0089" and coerce.digits("89-1") is None
    assert coerce.digits(True) is None and coerce.digits(10**30) is None


def test_zim_esim_state_keeps_an_undocumented_word_and_hides_the_number_unasked() -> None:
    record = {
        "id": "esim_A",
        "iccid": 89865127467335112495,
        "msisdn": 447482482482,
        "status": "SUSPENDED",
        "matchingID": "SECRET-MATCH",
        "qrCodeLink": "https://qr.example/SECRET.png",
    }
    subs = [
        {"id": "sub_1", "esimID": "esim_A", "status": "EXPIRED", "plan": {"dataValue": 1}},
        {
            "id": "sub_2",
            "esimID": "esim_A",
            "status": "DEPLETED",
            "plan": {"dataUnit": "GB", "dataValue": 2},
        },
        {"id": "sub_3", "esimID": "esim_B", "status": "ACTIVE"},
    ]
    facts = {"record": record, "subscriptions": subs}
    hidden = zim_state("esim_A", facts, order_ref=None, personal_data=False)
    assert hidden.iccid == "89865127467335112495" and hidden.msisdn is None
    assert hidden.status is EsimStatus.UNKNOWN and hidden.provider_status == "SUSPENDED"
    assert [p.id for p in hidden.packages] == ["sub_1", "sub_2"]
    assert hidden.subscription_status is SubscriptionStatus.DEPLETED
    assert hidden.data is not None and (hidden.data.total, hidden.data.remaining) == (2048, 0)
    assert "SECRET" not in hidden.model_dump_json()
    shown = zim_state("esim_A", facts, order_ref=None, personal_data=True)
    assert shown.msisdn == "447482482482"
