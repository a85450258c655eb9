"""The normalized eSIM state every layer above the wire shares: install and network state,
usage, validity, package history, APN; no I/O here.

Both providers' words map onto one `EsimStatus`; a word neither documents is UNKNOWN with
the provider's word kept in `provider_status`, as for orders. Activation secrets are never
part of it, and the MSISDN (a phone number) only when the caller may see personal data.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from .models import (
    Provider,
    SubscriptionStatus,
    View,
    _Model,  # frozen, extra fields ignored: as every normalized model
)

__all__ = [
    "EsimAnswer",
    "EsimKey",
    "EsimState",
    "EsimStatus",
    "PackageRecord",
    "Quota",
    "Unread",
]


class EsimStatus(StrEnum):
    """Install and network state, the union of both providers' documented words.

    PressOne (usage `status`): NOT_ACTIVE, ACTIVE, FINISHED, EXPIRED, RECYCLED, UNKNOWN.
    Zim (eSIM `status`): PROCESSING, RELEASED, DOWNLOADED, INSTALLED, UNINSTALLED, EXPIRED,
    ENABLED, DISABLED, ONLINE, OFFLINE, UNAVAILABLE.
    """

    PROCESSING = "PROCESSING"
    RELEASED = "RELEASED"
    NOT_ACTIVE = "NOT_ACTIVE"
    DOWNLOADED = "DOWNLOADED"
    INSTALLED = "INSTALLED"
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"
    ACTIVE = "ACTIVE"
    UNINSTALLED = "UNINSTALLED"
    FINISHED = "FINISHED"
    EXPIRED = "EXPIRED"
    RECYCLED = "RECYCLED"
    UNAVAILABLE = "UNAVAILABLE"
    UNKNOWN = "UNKNOWN"


class Quota(_Model):
    """A data, voice or SMS allowance and what is left of it; `unlimited` says so instead of
    numbers (the providers' amounts mean nothing then)."""

    unit: str = Field(description="MB for data, minutes for voice, messages for SMS.")
    unlimited: bool = False
    total: int | None = None
    remaining: int | None = None
    used: int | None = Field(None, description="total - remaining, when both are known.")

    @model_validator(mode="after")
    def _count_used(self) -> Quota:
        total, remaining = self.total, self.remaining
        if self.used is None and not self.unlimited and total is not None and remaining is not None:
            object.__setattr__(self, "used", max(total - remaining, 0))
        return self

    def __str__(self) -> str:
        if self.unlimited:
            return "unlimited"
        if self.remaining is None:
            return "unknown"
        if self.total is None:
            return f"{self.remaining} {self.unit} left"
        return f"{self.remaining} of {self.total} {self.unit} left"


class PackageRecord(_Model):
    """One package of the eSIM's history: the first one, or a top-up."""

    id: str | None = None
    title: str | None = None
    kind: str | None = Field(None, description="sim (the first package) or topup, as sent.")
    status: str | None = Field(None, description="The package's status as the provider sent it.")
    data: Quota | None = None
    validity_days: int | None = None
    activated_at: datetime | None = None
    expires_at: datetime | None = None
    finished_at: datetime | None = None


Fact = Literal["record", "usage", "packages", "subscriptions"]


class Unread(_Model):
    """A fact that could not be read now (rate limit, outage): when to try again."""

    fact: Fact
    reason: str = Field(description="Why, in a few words.")
    retry_after_seconds: float | None = Field(
        None, description="How long to wait, from checked_at."
    )
    retry_at: datetime | None = Field(None, description="When asking again can succeed.")


class EsimKey(_Model):
    """How a provider finds one eSIM again: its ICCID, its own id, or both."""

    provider: Provider
    iccid: str | None = None
    esim_id: str | None = None


class EsimState(_Model):
    """One eSIM as support needs it, whichever provider issued it."""

    provider: Provider
    iccid: str | None = Field(None, description="Digits, exact (never through a float).")
    esim_id: str | None = Field(None, description="The provider's own id for the eSIM.")
    order_ref: str | None = None
    status: EsimStatus = EsimStatus.UNKNOWN
    provider_status: str | None = Field(None, description="Status word as the provider sent it.")
    subscription_id: str | None = None
    subscription_status: SubscriptionStatus | None = None
    subscription_provider_status: str | None = None
    recycled: bool | None = None
    recycled_at: datetime | None = None
    data: Quota | None = None
    voice: Quota | None = None
    sms: Quota | None = None
    activated_at: datetime | None = None
    expires_at: datetime | None = None
    packages: list[PackageRecord] = Field(
        default_factory=list, description="Package history, oldest first: first package, top-ups."
    )
    apn_manual: bool | None = Field(None, description="True: the APN must be set by hand.")
    apn: str | None = Field(None, description="The APN to enter when apn_manual.")
    roaming_required: bool | None = Field(None, description="True: data roaming must be on.")
    msisdn: str | None = Field(None, description="The eSIM's number (personal data, opt-in).")
    sources: dict[str, str] = Field(
        default_factory=dict, description="Where each fact came from: fact -> endpoint."
    )
    unread: list[Unread] = Field(default_factory=list)
    checked_at: datetime | None = None

    @property
    def key(self) -> EsimKey:
        return EsimKey(provider=self.provider, iccid=self.iccid, esim_id=self.esim_id)

    @property
    def label(self) -> str:
        return self.iccid or self.esim_id or "eSIM"

    def unread_fact(self, fact: Fact) -> Unread | None:
        return next((u for u in self.unread if u.fact == fact), None)

    @property
    def last_topup(self) -> PackageRecord | None:
        topups = [p for p in self.packages if (p.kind or "").lower() in ("topup", "top_up")]
        return topups[-1] if topups else None


class EsimAnswer(View):
    """What get_esim answers: the eSIMs asked for, by order ref or by ICCID."""

    ref: str | None = Field(None, description="The order asked about, when asked by ref.")
    iccid: str | None = Field(None, description="The ICCID asked about, when asked by ICCID.")
    esims: list[EsimState] = Field(default_factory=list)
    note: str | None = Field(None, description="Why there is no eSIM to show, when there is none.")
