"""A caller without the right to personal data gets answers without it: the order's customer
reduced to its id, and every eSIM's number (MSISDN) left out of a get_esim answer."""

from __future__ import annotations

from esim_orders.esim_models import EsimAnswer, EsimState, EsimStatus
from esim_orders.tools.personal import without_personal_data

NUMBER = "447700900123"


def test_an_esim_answer_loses_every_esims_number_and_keeps_the_rest():
    answer = EsimAnswer(
        ref="pressone:1",
        esims=[
            EsimState(provider="pressone", iccid="8944000000000000001", msisdn=NUMBER),
            EsimState(provider="pressone", iccid="8944000000000000019", status=EsimStatus.ACTIVE),
        ],
    )
    impersonal = without_personal_data(answer)
    assert NUMBER not in impersonal.model_dump_json()
    assert [e.iccid for e in impersonal.esims] == [e.iccid for e in answer.esims]
    assert impersonal.esims[1].status is EsimStatus.ACTIVE
    assert answer.esims[0].msisdn == NUMBER  # the caller's view is a copy
