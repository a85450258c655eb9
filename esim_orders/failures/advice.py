"""Turns catalogue advice into an `Explanation`: the one place a catalogue text is filled in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from .catalogue import Advice, fill
from .explanation import Explanation, Impact

__all__ = [
    "CODE_CAP",
    "PROVIDER_TEXT_CAP",
    "VALUE_CAP",
    "catalogue_impact",
    "explain_advice",
    "placeholder_defaults",
    "utc",
]

PROVIDER_TEXT_CAP = 200
VALUE_CAP = 120
CODE_CAP = 60


def explain_advice(
    advice: Advice,
    values: Mapping[str, str],
    *,
    note: Callable[[str], str],
    impact: Impact | None = None,
    references: list[str] | None = None,
    **facts: Any,
) -> Explanation:
    """An explanation saying what `advice` says, its placeholders filled from `values`.

    `facts` are the fields the advice does not decide (what was explained, the confidence,
    the entry key, the provider's text, the evidence, the time); `note` writes the
    escalation note around the question the advice asks support, when it asks one;
    `impact` replaces the catalogue's impact when the order shows better; `references`
    replaces the advice's own (those of the explained provider, `Catalogue.references_for`).
    """
    question = fill(advice.ask_support, values) if advice.ask_support else None
    return Explanation(
        **facts,
        something_wrong=advice.outcome != "ok",
        outcome=advice.outcome,
        title=advice.title,
        diagnosis=fill(advice.diagnosis, values),
        likely_cause=fill(advice.cause, values),
        category=advice.category,
        impact=impact or catalogue_impact(advice, values),
        retry=advice.retry,
        retry_note=fill(advice.retry_note, values) if advice.retry_note else None,
        who_acts=list(advice.who_acts),
        next_steps=[fill(step, values) for step in advice.next_steps],
        references=list(advice.references) if references is None else references,
        escalation_note=note(question) if question else None,
    )


def catalogue_impact(advice: Advice, values: Mapping[str, str]) -> Impact:
    """The impact as the catalogue states it, placeholders filled."""
    return Impact(
        charged=advice.impact.charged,
        esim_issued=advice.impact.esim_issued,
        note=fill(advice.impact.note, dict(values)),
    )


def placeholder_defaults() -> dict[str, str]:
    """What a placeholder says when the order does not hold the value."""
    return {
        "age": "an unknown time",
        "threshold": "configured time",
        "since": "its last update",
        "updated": "the time it was replaced",
        "account": "account",
        "user": "user",
        "plan": "plan",
        "validity": "its validity",
        "iccid": "the eSIM",
        "esim_status": "an unknown state",
        "data_left": "an unknown amount of data",
        "apn": "the APN the provider gives",
        "expires": "not given by the provider",
        "retry_at": "in a few minutes",
    }


def utc(moment: datetime) -> datetime:
    """Zoneless times are UTC, as the providers' are."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
