"""The rows of an eSIM's card (state, data left as a bar, validity, last top-up, APN), and the
eSIM lines an order's card shows; one builder, rendered as text, HTML and Markdown."""

from __future__ import annotations

from ..esim_models import EsimAnswer, EsimState, Quota
from ..models import Order
from .order import order_card_rows, when
from .rows import Bar, Block, Card, Fact, Head, Line, Part, Sentence

__all__ = [
    "data_bar",
    "esim_answer_cards",
    "esim_blocks",
    "esim_card_rows",
    "order_with_esims_rows",
    "state_label",
]


def state_label(esim: EsimState) -> str:
    """`ONLINE`, `UNKNOWN (SUSPENDED)`, with the subscription's state when there is one."""
    label = esim.status.value
    if esim.provider_status and esim.provider_status.upper() != label:
        label += f" ({esim.provider_status})"
    if esim.subscription_status is not None:
        label += f", subscription {esim.subscription_provider_status or esim.subscription_status}"
    return label


def data_bar(quota: Quota | None) -> Block | None:
    """The data left of the allowance as a bar; a line of words when there is no share."""
    if quota is None:
        return None
    if quota.unlimited:
        return Fact.of("Data", "unlimited")
    if quota.remaining is None or not quota.total:
        return Fact.of("Data", f"{quota.total} {quota.unit} plan, use not reported")
    return Bar("Data left", quota.remaining / quota.total, str(quota))


def esim_blocks(esim: EsimState) -> list[Block]:
    """The facts of one eSIM, rows without data left out."""
    blocks: list[Block] = []
    bar = data_bar(esim.data)
    if bar is not None:
        blocks.append(bar)
    extra = [
        Fact.of(label, str(quota))
        for label, quota in (("Voice", esim.voice), ("SMS", esim.sms))
        if quota is not None
    ]
    if extra:
        blocks.append(Line(tuple(extra)))
    dates = [
        Fact.of(label, when(moment))
        for label, moment in (("Activated", esim.activated_at), ("Valid until", esim.expires_at))
        if moment
    ]
    if dates:
        blocks.append(Line(tuple(dates)))
    topup = esim.last_topup
    if topup is not None:
        said = topup.title or topup.id or "top-up"
        if topup.activated_at:
            said += f", {when(topup.activated_at)}"
        blocks.append(Fact.of("Last top-up", said, sep=": "))
    elif len(esim.packages) > 1:
        blocks.append(Fact.of("Packages", str(len(esim.packages))))
    setup = []
    if esim.apn_manual:
        setup.append(Fact.of("APN", f"set by hand to {esim.apn or '(not given)'}", sep=": "))
    if esim.roaming_required:
        setup.append(Fact.of("Roaming", "data roaming must be on", sep=": "))
    if setup:
        blocks.append(Line(tuple(setup)))
    if esim.recycled_at:
        blocks.append(Fact.of("Recycled", when(esim.recycled_at)))
    if esim.msisdn:
        blocks.append(Fact.of("Number", esim.msisdn, "code"))
    for unread in esim.unread:
        again = f"; try again after {when(unread.retry_at)}" if unread.retry_at else ""
        blocks.append(Sentence(f"{unread.fact.capitalize()} could not be read now{again}."))
    return blocks


def esim_card_rows(esim: EsimState) -> Card:
    notes = tuple(f"order {esim.order_ref}" for _ in (0,) if esim.order_ref)
    head = Head(esim.label, state_label(esim), None, lead="eSIM", notes=notes)
    return Card(head, tuple(esim_blocks(esim)), _tone(esim))


def esim_answer_cards(answer: EsimAnswer) -> list[Card]:
    return [esim_card_rows(esim) for esim in answer.esims]


def _tone(esim: EsimState) -> str:
    if esim.status.value in ("RECYCLED", "UNINSTALLED", "EXPIRED", "FINISHED"):
        return "failed"
    if esim.status.value in ("ACTIVE", "ONLINE", "INSTALLED", "ENABLED"):
        return "ok"
    return ""


def order_with_esims_rows(order: Order, esims: list[EsimState]) -> Card:
    """An order's card with each eSIM's state and data-left bar under it."""
    card = order_card_rows(order)
    blocks = list(card.blocks)
    for esim in esims:
        parts = (Part(esim.label, "code"), Part(f": {state_label(esim)}"))
        blocks.append(Fact("eSIM state", parts))
        bar = data_bar(esim.data)
        if bar is not None:
            blocks.append(bar)
        blocks += [b for b in esim_blocks(esim) if isinstance(b, Sentence)]
    return Card(card.head, tuple(blocks), card.tone)
