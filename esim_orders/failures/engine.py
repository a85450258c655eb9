"""The diagnosis engine: one order, read against the catalogue at a given time and thresholds.

Pure: the order, `now`, the thresholds and the catalogue come in, an `Explanation` goes out;
no I/O (beyond reading the shipped catalogue once), no clock, no environment, no global.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..models import Order, OrderStatus, OrderType, SubscriptionStatus
from .advice import (
    CODE_CAP,
    PROVIDER_TEXT_CAP,
    VALUE_CAP,
    explain_advice,
    placeholder_defaults,
    utc,
)
from .catalogue import (
    Advice,
    Catalogue,
    Charged,
    Entry,
    GenericName,
    Issued,
    Wait,
    fill,
    load_catalogue,
)
from .explanation import Confidence, Evidence, Explanation, Impact
from .note import duration_words, order_note, quoted, safe_text, stamp
from .thresholds import Thresholds

__all__ = ["explain_order"]

MAX_EVIDENCE = 10
REASON_KINDS = frozenset({"failure_reason", "error_code"})
# A PROCESSING order whose provider lists no wait of its own for its wire status.
PROCESSING_WAIT = Wait(state="PROCESSING_STUCK", threshold="processing")


def explain_order(
    order: Order,
    now: datetime,
    thresholds: Thresholds,
    *,
    catalogue: Catalogue | None = None,
) -> Explanation:
    """Explain one order at time `now`, calling a waiting order stuck past `thresholds`."""
    catalogue = catalogue or load_catalogue()
    return _Reading(order, utc(now), thresholds, catalogue).explain()


class _Reading:
    """One order read against the catalogue at one moment."""

    def __init__(
        self, order: Order, now: datetime, thresholds: Thresholds, catalogue: Catalogue
    ) -> None:
        self.order = order
        self.now = now
        self.thresholds = thresholds
        self.catalogue = catalogue
        self.wire = safe_text(order.provider_status or "", 60)
        self.esims_listed = catalogue.answers_of(order.provider).esims_listed_with_order
        moment = order.updated_at or order.created_at
        self.since = utc(moment) if moment else None
        self.age = max(now - self.since, timedelta(0)) if self.since else None

    # ------------------------------------------------------------------ decision

    def explain(self) -> Explanation:
        status = self.order.status
        if status is OrderStatus.FAILED:
            return self._failed()
        if status in (OrderStatus.PROCESSING, OrderStatus.PENDING):
            return self._waiting()
        if status is OrderStatus.COMPLETED:
            return self._completed()
        if status in (OrderStatus.CANCELLED, OrderStatus.REPLACED, OrderStatus.REFUNDED):
            entry = self.catalogue.state(self.order.provider, self.wire) or self.catalogue.state(
                self.order.provider, status.value
            )
            if entry is not None:
                return self._compose(entry, "inferred_from_state", entry_key=entry.key)
        return self._generic("unknown_status", "unknown", self._status_text())

    def _failed(self) -> Explanation:
        failure = self.order.failure
        reason = safe_text(failure.reason_code, CODE_CAP) if failure and failure.reason_code else ""
        said = self._failure_text()
        if reason:
            entry = self.catalogue.find(self.order.provider, reason, REASON_KINDS)
            if entry is not None:
                return self._compose(entry, "known_code", entry_key=entry.key, provider_text=said)
            return self._generic("failed_unknown_reason", "unknown", said)
        entry = self.catalogue.state(self.order.provider, "FAILED")
        if entry is not None:
            return self._compose(
                entry, "inferred_from_state", entry_key=entry.key, provider_text=said
            )
        return self._generic("failed_no_reason", "inferred_from_state", said)

    def _waiting(self) -> Explanation:
        wait = self.catalogue.wait(self.order.provider, self.wire)
        if wait is None and self.order.status is OrderStatus.PROCESSING:
            wait = PROCESSING_WAIT
        entry = self.catalogue.state(self.order.provider, wait.state) if wait else None
        if entry is None or wait is None:
            return self._generic("unknown_status", "unknown", self._status_text())
        limit: timedelta = getattr(self.thresholds, wait.threshold)
        if self.age is not None and self.age > limit:
            return self._compose(entry, "inferred_from_state", entry_key=entry.key, limit=limit)
        return self._in_progress(entry, limit)

    def _completed(self) -> Explanation:
        sub = self.order.subscription
        if sub and sub.status in (SubscriptionStatus.DEPLETED, SubscriptionStatus.EXPIRED):
            entry = self.catalogue.state(self.order.provider, f"SUBSCRIPTION_{sub.status.value}")
            if entry is not None:
                return self._compose(entry, "inferred_from_state", entry_key=entry.key)
        limit = self.thresholds.downloaded
        downloaded = [e for e in self.order.esims if (e.status or "").upper() == "DOWNLOADED"]
        if downloaded and self.age is not None and self.age > limit:
            entry = self.catalogue.state(self.order.provider, "ESIM_DOWNLOADED_STUCK")
            if entry is not None:
                return self._compose(entry, "inferred_from_state", entry_key=entry.key, limit=limit)
        limit = self.thresholds.processing
        if sub and sub.status is SubscriptionStatus.PROCESSING:
            entry = self.catalogue.state(self.order.provider, "SUBSCRIPTION_PROCESSING_STUCK")
            if entry is not None and self.age is not None and self.age > limit:
                return self._compose(entry, "inferred_from_state", entry_key=entry.key, limit=limit)
        return self._fine()

    # ------------------------------------------------------------------ healthy states

    def _in_progress(self, entry: Entry, limit: timedelta) -> Explanation:
        plain = self._plain_status()
        if self.age is None:
            diagnosis = (
                f"Nothing has failed yet: the order {plain}; it has no timestamps, so how long "
                "it has waited is unknown."
            )
            steps = ["Read the order again later to see whether it has moved on."]
        else:
            diagnosis = (
                f"Nothing has failed yet: the order {plain}, and has for "
                f"{duration_words(self.age)}, within the {duration_words(limit)} after which it "
                "would count as stuck."
            )
            due = stamp((self.since or self.now) + limit)
            steps = [f"If it has not moved on by {due}, check again with {{explain_failure}}."]
        return self._healthy(
            title="In progress",
            diagnosis=diagnosis,
            impact=self._impact(entry),
            steps=steps,
            references=self.catalogue.references_for(self.order.provider, entry.references),
            limit=limit,
        )

    def _fine(self) -> Explanation:
        order = self.order
        parts = [f"the order {self._plain_status()}"]
        if order.type is OrderType.TOP_UP and not order.esims:
            parts[0] = f"the top-up order {self._plain_status()}"
        if order.esims:
            count = len(order.esims)
            parts.append(f"{count} eSIM{'s' if count != 1 else ''} issued")
            reported = sorted({safe_text(e.status, 30) for e in order.esims if e.status})
            if reported:
                parts.append("eSIM status reported as " + ", ".join(reported))
        sub = order.subscription
        if sub:
            words = self.catalogue.plain.subscription.get(sub.status.value)
            if words is None:
                words = f"reports status {quoted(sub.provider_status or sub.status, 40)}"
            parts.append(f"its subscription {words}")
        issued: Issued = "yes" if order.esims or (sub and sub.esim_id) else "likely"
        note = "A top-up adds to an existing eSIM." if order.type is OrderType.TOP_UP else None
        return self._healthy(
            title="Nothing failed",
            diagnosis="Nothing failed: " + "; ".join(parts) + ".",
            impact=Impact(charged="likely", esim_issued=issued, note=note),
            steps=[],
            references=[],
        )

    def _plain_status(self) -> str:
        key = f"{self.order.provider.value}:{self.wire}"
        words = self.catalogue.plain.status.get(key)
        return words or f"is {self.order.status.value.lower()}"

    def _healthy(
        self,
        *,
        title: str,
        diagnosis: str,
        impact: Impact,
        steps: list[str],
        references: list[str],
        limit: timedelta | None = None,
    ) -> Explanation:
        return Explanation(
            **self._identity(),
            something_wrong=False,
            outcome="ok",
            title=title,
            diagnosis=diagnosis,
            confidence="inferred_from_state",
            evidence=self._evidence(limit),
            impact=impact,
            next_steps=steps,
            references=references,
            checked_at=self.now,
        )

    # ------------------------------------------------------------------ composing

    def _compose(
        self,
        advice: Advice,
        confidence: Confidence,
        *,
        entry_key: str | None = None,
        provider_text: str | None = None,
        limit: timedelta | None = None,
    ) -> Explanation:
        values = self._values(limit)
        status = safe_text(self.wire or self.order.status, 40)
        return explain_advice(
            advice,
            values,
            note=lambda question: order_note(
                self.order,
                headline=f"{advice.title} (status {status})",
                question=question,
                reason=self._failure_text(),
                now=self.now,
            ),
            impact=self._impact(advice, values),
            references=self.catalogue.references_for(self.order.provider, advice.references),
            **self._identity(),
            confidence=confidence,
            entry=entry_key,
            provider_text=provider_text,
            evidence=self._evidence(limit),
            checked_at=self.now,
        )

    def _generic(self, name: GenericName, confidence: Confidence, said: str | None) -> Explanation:
        generic = self.catalogue.generic[name]
        return self._compose(generic, confidence, entry_key=f"generic:{name}", provider_text=said)

    def _status_text(self) -> str:
        return quoted(self.wire or self.order.status.value, PROVIDER_TEXT_CAP)

    def _identity(self) -> dict[str, Any]:
        order = self.order
        return {
            "ref": safe_text(order.ref, VALUE_CAP),
            "provider": order.provider,
            "status": order.status,
            "provider_status": safe_text(self.wire, 60) or None,
        }

    def _failure_text(self) -> str | None:
        failure = self.order.failure
        if failure is None:
            return None
        said = " | ".join(
            text
            for text in (failure.reason_code, failure.message)
            if text and safe_text(text, PROVIDER_TEXT_CAP)
        )
        return quoted(said, PROVIDER_TEXT_CAP) if said else None

    def _values(self, limit: timedelta | None) -> dict[str, str]:
        order = self.order
        values = placeholder_defaults()
        if self.age is not None:
            values["age"] = duration_words(self.age)
        if limit is not None:
            values["threshold"] = duration_words(limit)
        if self.since is not None:
            values["since"] = stamp(self.since) or values["since"]
        if order.updated_at is not None:
            values["updated"] = stamp(order.updated_at) or values["updated"]
        for name, label, value in (
            ("account", "account", order.account_id),
            ("user", "user", order.customer.id if order.customer else None),
            ("plan", "plan", order.plan.id if order.plan else None),
        ):
            if value:
                values[name] = f"{label} {safe_text(value, 60)}"
        plan = (order.subscription.plan if order.subscription else None) or order.plan
        if plan and plan.validity_days:
            values["validity"] = f"{plan.validity_days} days"
        return values

    def _impact(self, advice: Advice, values: dict[str, str] | None = None) -> Impact:
        """The catalogue's impact, corrected by what this order shows."""
        order = self.order
        charged: Charged = advice.impact.charged
        issued: Issued = advice.impact.esim_issued
        notes = [fill(advice.impact.note, values or placeholder_defaults())]
        if order.esims or (order.subscription and order.subscription.esim_id):
            issued = "yes"
        elif self.esims_listed and order.type is OrderType.ONE_OFF:
            issued = "no"  # the provider lists an order's eSIMs with it: none means none issued
        payment = order.payment_id or order.payment_reference
        if payment:
            if charged == "unknown":
                charged = "likely"
            elif charged == "no":
                charged = "unknown"
            notes.append(f"A payment is linked to the order ({safe_text(payment, 60)}).")
        return Impact(charged=charged, esim_issued=issued, note=" ".join(notes))

    def _evidence(self, limit: timedelta | None) -> list[Evidence]:
        order = self.order
        items: list[tuple[str, object]] = [("status", order.status.value)]
        if self.wire and self.wire != order.status.value:
            items.append(("provider_status", quoted(self.wire, 60)))
        if order.failure and order.failure.reason_code:
            items.append(("failure_reason", quoted(order.failure.reason_code, VALUE_CAP)))
        if order.failure and order.failure.message:
            items.append(("failure_message", quoted(order.failure.message, VALUE_CAP)))
        items.append(("created_at", stamp(order.created_at)))
        items.append(("updated_at", stamp(order.updated_at)))
        if limit is not None and self.age is not None:
            items.append(
                (
                    "time_in_state",
                    f"{duration_words(self.age)} (stuck after {duration_words(limit)})",
                )
            )
        items.append(("payment_id", order.payment_id))
        items.append(("payment_reference", order.payment_reference))
        if self.esims_listed or order.esims:
            statuses = sorted({safe_text(e.status, 30) for e in order.esims if e.status})
            esims = f"{len(order.esims)} issued"
            if statuses:
                esims += ", status " + ", ".join(statuses)
            if order.quantity and order.quantity != len(order.esims):
                esims += f" (quantity ordered {order.quantity})"
            items.append(("esims", esims))
        if order.subscription:
            sub = order.subscription
            items.append(("subscription_status", sub.provider_status or sub.status.value))
        return [
            Evidence(field=name, value=safe_text(value, VALUE_CAP))
            for name, value in items
            if value is not None and safe_text(value, VALUE_CAP)
        ][:MAX_EVIDENCE]
