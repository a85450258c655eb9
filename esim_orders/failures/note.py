"""The escalation note for provider support: ids, payment reference, times; no secret, no person.

Built from a fixed list of order fields, never from the raw payload or the customer object,
so activation codes and personal data cannot reach it; `safe_text` runs over the result
anyway, in case a provider hid one in a free-text field we do quote.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..models import Order, Provider, display_name
from ..redact import redact_text
from ..text import clean_provider_text

NOTE_CAP = 1500
ID_CAP = 80
MAX_ICCIDS = 5


def safe_text(value: object, cap: int) -> str:
    """Provider text made safe to show: no control/bidi/zero-width characters, no activation
    code or e-mail address, at most `cap` characters."""
    cleaned = clean_provider_text(str(value), cap * 2)
    return clean_provider_text(redact_text(cleaned), cap)


def quoted(value: object, cap: int) -> str:
    """Provider text in double quotes that it cannot close early."""
    return '"' + safe_text(value, cap).replace('"', "'") + '"'


def stamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration_words(delta: timedelta) -> str:
    """`3 days 4 hours`, `25 minutes`: the two largest units, for people."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return "less than a minute"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    start = next(i for i, (n, _) in enumerate(units) if n)
    picked = [(n, unit) for n, unit in units[start : start + 2] if n]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in picked)


def order_note(
    order: Order,
    *,
    headline: str,
    question: str,
    reason: str | None,
    now: datetime,
    extra: tuple[str, ...] = (),
) -> str:
    """A note to paste into a ticket: what the order is, what we see (`extra`: lines more,
    such as each eSIM's state), what we ask."""
    name = display_name(order.provider)
    ident = safe_text(order.id, ID_CAP)
    lines = [
        f"Subject: {name} order {ident}: {headline}",
        f"Hello {name} support, please look into this order.",
    ]
    order_line = f"Order id: {ident}"
    if order.code:
        order_line += f"; order code: {safe_text(order.code, ID_CAP)}"
    order_line += f"; type: {safe_text(order.provider_type or order.type, 30)}"
    lines.append(order_line)
    status = safe_text(order.provider_status or order.status, 60)
    lines.append(f"Status: {status}" + (f"; failure reason as sent: {reason}" if reason else ""))
    lines += _ids_line(order)
    times = [
        f"{label}: {text}"
        for label, text in (
            ("created", stamp(order.created_at)),
            ("last updated", stamp(order.updated_at)),
            ("checked", stamp(now)),
        )
        if text
    ]
    lines.append("Times: " + "; ".join(times))
    esims = _esims_line(order)
    if esims:
        lines.append(esims)
    lines += extra
    lines.append(f"Question: {question}")
    return safe_note("\n".join(lines))


def code_note(provider: Provider, *, code: str, headline: str, question: str, now: datetime) -> str:
    """A note about an error code rather than an order."""
    name = display_name(provider)
    lines = [
        f"Subject: {name} answered {code}: {headline}",
        f"Hello {name} support, our requests received code {code} (noted {stamp(now)}).",
        f"Question: {question}",
    ]
    return safe_note("\n".join(lines))


def safe_note(text: str) -> str:
    """Redact, strip control characters line by line, and cap the whole note."""
    lines = [clean_provider_text(redact_text(line), NOTE_CAP) for line in text.splitlines()]
    note = "\n".join(line for line in lines if line)
    return note if len(note) <= NOTE_CAP else note[: NOTE_CAP - 1].rstrip() + "…"


def _ids_line(order: Order) -> list[str]:
    ids = [
        f"{label}: {safe_text(value, ID_CAP)}"
        for label, value in (
            ("account", order.account_id),
            ("plan", order.plan.id if order.plan else None),
            # An opaque id, never the customer's name, e-mail or phone.
            ("user id", order.customer.id if order.customer else None),
        )
        if value
    ]
    payment = [
        f"{label}: {safe_text(value, ID_CAP)}"
        for label, value in (
            ("payment id", order.payment_id),
            ("payment reference", order.payment_reference),
        )
        if value
    ]
    out = []
    if ids:
        out.append("; ".join(ids))
    if payment:
        out.append("Payment: " + "; ".join(payment))
    return out


def _esims_line(order: Order) -> str | None:
    parts = []
    iccids = [safe_text(e.iccid, 30) for e in order.esims if e.iccid]
    if iccids:
        shown = ", ".join(iccids[:MAX_ICCIDS])
        more = f" and {len(iccids) - MAX_ICCIDS} more" if len(iccids) > MAX_ICCIDS else ""
        parts.append(f"eSIM ICCIDs: {shown}{more}")
    sub = order.subscription
    if sub:
        status = safe_text(sub.provider_status or sub.status, 40)
        text = f"subscription {safe_text(sub.id, ID_CAP)} ({status})"
        if sub.esim_id:
            text += f", eSIM id {safe_text(sub.esim_id, ID_CAP)}"
        parts.append(text)
    return "; ".join(parts) if parts else None
