"""Why a completed order leaves its customer without service, read from its eSIMs' states.

Pure, like `engine`: the order, its eSIMs' states, `now` and the thresholds come in, an
`Explanation` goes out. Each eSIM gets one verdict (a catalogue state entry); the order is
explained by the gravest, and every eSIM's verdict is listed beside it. An order without an
eSIM state to read (a top-up, a provider that reports none) is explained by `engine`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..esim_models import EsimState, EsimStatus
from ..models import Order, SubscriptionStatus
from .advice import VALUE_CAP, explain_advice, placeholder_defaults, utc
from .catalogue import Catalogue, load_catalogue
from .engine import explain_order
from .explanation import EsimVerdict, Evidence, Explanation
from .note import duration_words, order_note, quoted, safe_text, stamp
from .thresholds import Thresholds

__all__ = ["RANKS", "diagnose_esim", "explain_esims"]

#: Every verdict, gravest first: the order is explained by its gravest eSIM.
RANKS = {
    "ESIM_RECYCLED": 90,
    "ESIM_UNINSTALLED": 80,
    "ESIM_DOWNLOADED_STUCK": 70,
    "ESIM_NEVER_USED": 65,
    "ESIM_VALIDITY_OVER": 60,
    "ESIM_ALLOWANCE_USED_UP": 55,
    "ESIM_DISABLED": 50,
    "ESIM_MANUAL_APN": 45,
    "ESIM_STATE_UNKNOWN": 40,
    "ESIM_USAGE_UNREADABLE": 30,
    "ESIM_WAITING_FIRST_USE": 10,
    "ESIM_HEALTHY": 0,
}
IN_SERVICE = frozenset(
    {
        EsimStatus.ACTIVE,
        EsimStatus.ONLINE,
        EsimStatus.OFFLINE,
        EsimStatus.INSTALLED,
        EsimStatus.ENABLED,
    }
)
NOT_YET_USED = frozenset({EsimStatus.NOT_ACTIVE, EsimStatus.RELEASED, EsimStatus.PROCESSING})
NO_INFORMATION = frozenset({EsimStatus.UNKNOWN, EsimStatus.UNAVAILABLE})
MAX_ESIM_EVIDENCE = 6


@dataclass(frozen=True)
class Verdict:
    """One eSIM's verdict: the catalogue code, and the threshold it was measured against."""

    state: EsimState
    code: str
    limit: timedelta | None = None
    #: How long the eSIM has been in its state, as far as the order's times tell.
    age: timedelta | None = None


def diagnose_esim(state: EsimState, order: Order, now: datetime, thresholds: Thresholds) -> Verdict:
    """The one verdict an eSIM's state earns, checked gravest first."""
    status = state.status
    sub = state.subscription_status
    data = state.data
    created = utc(order.created_at) if order.created_at else None
    moment = order.updated_at or order.created_at
    since_update = now - utc(moment) if moment else None
    age = now - created if created else None
    if status is EsimStatus.RECYCLED or state.recycled:
        return Verdict(state, "ESIM_RECYCLED")
    if status is EsimStatus.UNINSTALLED:
        return Verdict(state, "ESIM_UNINSTALLED")
    if status is EsimStatus.DOWNLOADED:
        limit = thresholds.downloaded
        if since_update is not None and since_update > limit:
            return Verdict(state, "ESIM_DOWNLOADED_STUCK", limit, since_update)
        return Verdict(state, "ESIM_WAITING_FIRST_USE", limit, since_update)
    if status is EsimStatus.EXPIRED or sub is SubscriptionStatus.EXPIRED:
        return Verdict(state, "ESIM_VALIDITY_OVER")
    used_up = data is not None and not data.unlimited and data.remaining == 0 and data.total
    if status is EsimStatus.FINISHED or sub is SubscriptionStatus.DEPLETED or used_up:
        return Verdict(state, "ESIM_ALLOWANCE_USED_UP")
    if state.expires_at is not None and utc(state.expires_at) <= now:
        return Verdict(state, "ESIM_VALIDITY_OVER")
    if status is EsimStatus.DISABLED:
        return Verdict(state, "ESIM_DISABLED")
    if status in NO_INFORMATION:
        unread = state.unread_fact("usage") or state.unread_fact("record")
        return Verdict(state, "ESIM_USAGE_UNREADABLE" if unread else "ESIM_STATE_UNKNOWN")
    if status in NOT_YET_USED:
        limit = thresholds.unused
        if age is not None and age > limit:
            return Verdict(state, "ESIM_NEVER_USED", limit, age)
        return Verdict(state, "ESIM_WAITING_FIRST_USE", limit, age)
    nothing_used = data is not None and data.used == 0 and bool(data.total)
    if status in IN_SERVICE and state.apn_manual and nothing_used:
        return Verdict(state, "ESIM_MANUAL_APN")
    return Verdict(state, "ESIM_HEALTHY")


def explain_esims(
    order: Order,
    states: list[EsimState],
    now: datetime,
    thresholds: Thresholds,
    *,
    catalogue: Catalogue | None = None,
) -> Explanation:
    """Explain a completed order by its eSIMs; by the order alone when it has none to read."""
    catalogue = catalogue or load_catalogue()
    now = utc(now)
    if not states:
        return explain_order(order, now, thresholds, catalogue=catalogue)
    verdicts = [diagnose_esim(state, order, now, thresholds) for state in states]
    worst = max(verdicts, key=lambda v: RANKS[v.code])  # the first of equals
    entry = catalogue.state(order.provider, worst.code)
    if entry is None:  # pragma: no cover - the catalogue test checks every code has an entry
        return explain_order(order, now, thresholds, catalogue=catalogue)
    values = _values(order, worst)
    status = safe_text(order.provider_status or order.status, 40)
    extra = tuple(f"eSIM {_line(v.state)}" for v in verdicts[:MAX_ESIM_EVIDENCE])
    return explain_advice(
        entry,
        values,
        note=lambda question: order_note(
            order,
            headline=f"{entry.title} (order {status}, eSIM {values['iccid']})",
            question=question,
            reason=None,
            now=now,
            extra=extra,
        ),
        ref=safe_text(order.ref, VALUE_CAP),
        provider=order.provider,
        status=order.status,
        provider_status=safe_text(order.provider_status or "", 60) or None,
        confidence="inferred_from_state",
        entry=entry.key,
        evidence=_evidence(order, verdicts),
        esims=[_verdict_view(v, catalogue, order) for v in verdicts],
        checked_at=now,
    )


def _values(order: Order, verdict: Verdict) -> dict[str, str]:
    state = verdict.state
    values = placeholder_defaults()
    values["iccid"] = safe_text(state.label, 40)
    values["esim_status"] = _status_words(state)
    if state.data is not None:
        values["data_left"] = _data_words(state)
    if state.apn_manual and state.apn:
        values["apn"] = quoted(state.apn, 60)
    elif state.apn_manual is False:
        values["apn"] = "the automatic APN (nothing to set)"
    expires = stamp(state.expires_at)
    if expires:
        values["expires"] = expires
    unread = state.unread_fact("usage") or state.unread_fact("record")
    if unread is not None and unread.retry_at is not None:
        values["retry_at"] = stamp(unread.retry_at) or values["retry_at"]
    if verdict.age is not None:
        values["age"] = duration_words(verdict.age)
    if verdict.limit is not None:
        values["threshold"] = duration_words(verdict.limit)
    return values


def _status_words(state: EsimState) -> str:
    word = safe_text(state.provider_status or "", 40)
    if word and word.upper() != state.status.value:
        return f"{state.status.value} ({quoted(word, 40)})"
    return state.status.value


def _data_words(state: EsimState) -> str:
    data = state.data
    if data is None:
        return "an unknown amount of data"
    if data.unlimited:
        return "unlimited data"
    if data.remaining is None:
        return f"a {data.total} {data.unit} plan (what is left is not reported)"
    return f"{data}"


def _line(state: EsimState) -> str:
    parts = [safe_text(state.label, 40), _status_words(state)]
    if state.subscription_status is not None:
        parts.append(
            f"subscription {state.subscription_provider_status or state.subscription_status}"
        )
    if state.data is not None:
        parts.append(_data_words(state))
    if state.expires_at is not None:
        parts.append(f"valid until {stamp(state.expires_at)}")
    if state.apn_manual:
        parts.append(f"manual APN {quoted(state.apn or '?', 40)}")
    if state.roaming_required:
        parts.append("needs data roaming on")
    for unread in state.unread:
        when = f", retry after {stamp(unread.retry_at)}" if unread.retry_at else ""
        parts.append(f"{unread.fact} not read now ({safe_text(unread.reason, 60)}{when})")
    return safe_text(" · ".join(parts), 300)


def _evidence(order: Order, verdicts: list[Verdict]) -> list[Evidence]:
    items = [
        ("status", order.status.value),
        ("created_at", stamp(order.created_at)),
        ("updated_at", stamp(order.updated_at)),
    ]
    items += [("esim", _line(v.state)) for v in verdicts[:MAX_ESIM_EVIDENCE]]
    return [Evidence(field=name, value=safe_text(value, 300)) for name, value in items if value]


def _verdict_view(verdict: Verdict, catalogue: Catalogue, order: Order) -> EsimVerdict:
    entry = catalogue.state(order.provider, verdict.code)
    state = verdict.state
    return EsimVerdict(
        iccid=safe_text(state.iccid, 30) if state.iccid else None,
        status=_status_words(state),
        verdict=entry.title if entry else verdict.code,
        entry=entry.key if entry else verdict.code,
        data_left=_data_words(state) if state.data is not None else None,
    )
