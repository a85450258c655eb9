"""One builder per view, three renderers: text, HTML and Markdown say the same facts."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from esim_orders.esim_models import EsimState, EsimStatus, Quota
from esim_orders.failures import Thresholds, explain_order
from esim_orders.models import Esim, Failure, Order, OrderStatus
from esim_orders.render import html as html_face
from esim_orders.render import markdown as md_face
from esim_orders.render import text as text_face
from esim_orders.render.explanation import explanation_rows
from esim_orders.render.order import order_card_rows
from esim_orders.render.rows import Fact, Line

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _order() -> Order:
    return Order(
        provider="pressone",
        id="9666",
        status=OrderStatus.FAILED,
        provider_status="failed",
        created_at=NOW - timedelta(hours=2),
        code="20230227-009666",
        description="Trip to Japan",
        esims=[Esim(iccid="8944000000000000001", status="READY", has_qrcode=True)],
        failure=Failure(reason_code="OUT_OF_STOCK", message="No stock left"),
        account_id="acct_1",
        payment_id="pay_1",
    )


def _facts(card):
    for block in card.blocks:
        yield from block.facts if isinstance(block, Line) else [block]


def test_every_fact_of_a_card_is_in_all_three_faces():
    order = _order()
    expl = explain_order(order, NOW, Thresholds())
    for card in (order_card_rows(order), explanation_rows(expl)):
        text = text_face.card_text(card)
        rendered = html_face.card_html(card)
        markdown = md_face.card_markdown(card)
        facts = [f for f in _facts(card) if isinstance(f, Fact)]
        assert len(facts) >= 4
        for fact in facts:
            assert text_face.fact_text(fact) in text
            assert html.escape(fact.label[:1].upper() + fact.label[1:]) in rendered
            for part in fact.parts:
                assert html.escape(part.text.strip()) in rendered, part
            assert md_face.md(fact.label)[:10] in markdown
            if fact.provider_data:
                assert f"({fact.provider_data})" in text and f"({fact.provider_data})" in rendered


def test_provider_words_are_marked_as_data_in_every_face():
    order = _order()
    text = text_face.order_card(order)
    rendered = html_face.order_card_body(order)
    markdown = md_face.order_card_markdown(order)
    assert 'Failure reason (provider data): "OUT_OF_STOCK"' in text
    assert '"OUT_OF_STOCK"</span> <span class="eo-muted">(provider data)</span>' in rendered
    assert 'Failure reason \\(provider data\\): "OUT\\_OF\\_STOCK"' in markdown


def test_html_keeps_the_spaces_between_the_parts_of_a_value():
    """Evidence is `field value; field value`: as HTML, read as text, it says the same."""
    expl = explain_order(_order(), NOW, Thresholds())
    facts = [f for f in _facts(explanation_rows(expl)) if isinstance(f, Fact)]
    evidence = next(f for f in facts if f.label == "Evidence")
    rendered = html_face.card_html(explanation_rows(expl))
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert evidence.value in shown
    assert "; " in evidence.value and " FAILED" in evidence.value


def test_the_order_card_shows_each_esim_state_and_a_data_left_bar_in_every_face():
    order = _order().model_copy(update={"status": OrderStatus.COMPLETED, "failure": None})
    esims = [
        EsimState(
            provider="pressone",
            iccid="8944000000000000001",
            status=EsimStatus.ACTIVE,
            provider_status="ACTIVE",
            data=Quota(unit="MB", total=2048, remaining=1536),
        ),
        EsimState(  # a word no provider documents is kept, and shown as sent (escaped)
            provider="pressone",
            iccid="8944000000000000019",
            status=EsimStatus.UNKNOWN,
            provider_status="<b>HALTED</b>",
        ),
    ]
    text = text_face.order_card(order, esims)
    assert "eSIM state 8944000000000000001: ACTIVE" in text
    assert "Data left [########--] 1536 of 2048 MB left" in text  # 75 %, ten characters
    assert "eSIM state 8944000000000000019: UNKNOWN (<b>HALTED</b>)" in text
    rendered = html_face.order_card_body(order, esims)
    assert 'aria-valuenow="75"><span style="width:75%">' in rendered
    assert "&lt;b&gt;HALTED&lt;/b&gt;" in rendered and "<b>HALTED" not in rendered
    markdown = md_face.order_card_markdown(order, esims)
    assert r"Data left \[\#\#\#\#\#\#\#\#\-\-\] 1536 of 2048 MB left" in markdown
    assert text_face.order_card(order) == text_face.card_text(order_card_rows(order))
