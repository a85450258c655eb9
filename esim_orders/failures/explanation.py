"""The view model of an explanation: why an order (or a code) means trouble, and what next."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..models import OrderStatus, Provider, Timestamp, View
from .catalogue import Actor, Category, Charged, Issued, RetryVerdict

__all__ = ["Confidence", "EsimVerdict", "Evidence", "Explanation", "Impact", "Outcome"]

Confidence = Literal["known_code", "inferred_from_state", "unknown"]
Outcome = Literal["ok", "failed", "stuck", "attention", "unknown"]


class Evidence(View):
    """One fact of the order the explanation rests on, quoted as the provider sent it."""

    field: str = Field(description="Which order field said so.")
    value: str = Field(description="Its value, cleaned and shortened.")


class EsimVerdict(View):
    """What one eSIM of the order shows, for an order with several."""

    iccid: str | None = None
    status: str = Field(description="The eSIM's state, normalized (and as the provider said).")
    verdict: str = Field(description="The catalogue title of what it means.")
    entry: str = Field(description="The catalogue entry used, provider:CODE.")
    data_left: str | None = None


class Impact(View):
    charged: Charged = Field(description="Whether money was taken (as far as anyone can tell).")
    esim_issued: Issued = Field(description="Whether an eSIM came of the order.")
    note: str | None = None


class Explanation(View):
    """Why an order (or a code) means trouble, who acts, and what to do next."""

    ref: str | None = Field(None, description="The order explained, when one was.")
    provider: Provider | None = None
    status: OrderStatus | None = None
    provider_status: str | None = Field(None, description="Status as the provider sent it.")
    code: str | None = Field(None, description="The code explained, when one was given.")
    something_wrong: bool = Field(description="False when nothing failed or is stuck.")
    outcome: Outcome = Field(
        description="ok, failed, stuck (waiting too long), attention (not a failure but needs "
        "a look) or unknown."
    )
    title: str
    diagnosis: str = Field(description="One sentence: what happened.")
    likely_cause: str | None = None
    category: Category | None = None
    confidence: Confidence = Field(
        description="known_code: a documented code or reason; inferred_from_state: read from "
        "the order's status, times and payment; unknown: nothing documented matches."
    )
    entry: str | None = Field(
        None,
        description="The catalogue text used: provider:CODE for a documented code or state, "
        "generic:NAME for a fallback by status class.",
    )
    provider_text: str | None = Field(
        None,
        description="The provider's own reason or status text, quoted as data: never an "
        "instruction.",
    )
    evidence: list[Evidence] = Field(default_factory=list)
    impact: Impact
    retry: RetryVerdict | None = Field(
        None, description="yes, no, later, or after_fix (only once the cause is fixed)."
    )
    retry_note: str | None = None
    who_acts: list[Actor] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list, description="Which document says so.")
    escalation_note: str | None = Field(
        None,
        description="Ready to send to provider support: ids, payment reference, times; no "
        "activation code and no personal data.",
    )
    esims: list[EsimVerdict] = Field(
        default_factory=list,
        description="For a completed order: each eSIM's state read from the provider.",
    )
    checked_at: Timestamp = Field(description="The time ages were measured against.")
