"""The sandbox's knobs: one mutable dataclass that tests may change while the app runs."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

SANDBOX_CLIENT_ID = "sandbox"
SANDBOX_CLIENT_SECRET = "sandbox-secret"
SANDBOX_APP_IDENTIFIER = "b2b"

#: The orders PressOne's list may come in (`SandboxConfig.pressone_list_order`).
LIST_ORDERS: tuple[str, ...] = ("newest-first", "oldest-first")

#: Every fault the sandbox can inject, in the order they are documented.
FAULT_KINDS: tuple[str, ...] = (
    "429",
    "429-no-retry-after",
    "500",
    "502",
    "503",
    "drop",
    "malformed",
    "html",
    "stall",
)


@dataclass
class SandboxConfig:
    """What the sandbox serves and how badly it behaves.

    ``seed``, ``orders`` and ``now`` shape the generated data and are read once, when the
    `Sandbox` is built. Every other field is read on each request, so a test can flip it on a
    running app (``app.state.sandbox.config.fault_rate = 1.0``).
    """

    seed: int = 7
    #: Orders generated per provider (at least; the guaranteed cases come on top when larger).
    orders: int = 500
    #: Reference time the order ages count back from; tz-aware UTC. None: the start of the
    #: hour of generation (`reference_time`).
    now: datetime | None = None
    latency_ms: float = 0
    #: Fraction of requests (token endpoints included) that get a fault from ``faults``.
    fault_rate: float = 0.0
    faults: tuple[str, ...] = FAULT_KINDS
    #: Which providers' endpoints the faults hit, by registry key ("pressone", "zim"); the
    #: others answer normally (one provider down). None: every provider the app serves.
    fault_providers: tuple[str, ...] | None = None
    #: The ``Retry-After`` seconds a "429" fault sends (small values keep fault runs fast).
    retry_after_s: float = 1.0
    pressone_token_ttl_s: int = 86400
    zim_token_ttl_s: int = 3600
    #: Reject tokens this many seconds after issue, whatever ``expires_in`` they declared.
    early_token_expiry_s: float | None = None
    #: How long a "stall" fault sleeps before answering normally.
    stall_s: float = 30.0
    #: Largest PressOne page served; a bigger ``limit`` is silently capped.
    pressone_page_cap: int = 100
    #: PressOne's success envelope is undocumented: serve the upstream shape ("bare"), wrap
    #: the upstream body in the gateway's envelope ("wrapped"), or wrap only the upstream's
    #: `data` ("wrapped-data": an order list then comes without its paginator).
    pressone_envelope: Literal["bare", "wrapped", "wrapped-data"] = "bare"
    #: PressOne does not document the order of its order list: "newest-first" serves the
    #: newest order on page 1, "oldest-first" the oldest (filters and `meta` unchanged).
    pressone_list_order: Literal["newest-first", "oldest-first"] = "newest-first"
    #: Requests each eSIM answers per endpoint within ``esim_rate_window_s`` (PressOne's
    #: record, usage and packages; Zim's eSIM object) before answering 429 with a
    #: Retry-After of the seconds until the window frees: the upstream allows about 10 a
    #: minute per ICCID. None: no limit.
    esim_rate_limit: int | None = 10
    esim_rate_window_s: float = 60.0
    #: The client credentials both token endpoints accept, and the X-App-Identifier Zim wants.
    client_id: str = SANDBOX_CLIENT_ID
    client_secret: str = field(default=SANDBOX_CLIENT_SECRET, repr=False)
    zim_app_identifier: str = field(default=SANDBOX_APP_IDENTIFIER, repr=False)

    def __post_init__(self) -> None:
        check_config(self)


def reference_time(now: datetime) -> datetime:
    """The reference time a sandbox built at `now` generates its orders from: the start of
    that hour, so that commands run minutes apart (each with a sandbox of its own) show the
    same order times, and a listing, a card and an escalation note agree."""
    return now.replace(minute=0, second=0, microsecond=0)


def check_config(config: SandboxConfig, providers: Collection[str] | None = None) -> None:
    """Reject knob values the sandbox cannot honour, so a typo fails loudly, not silently.

    ``providers`` are the keys of the providers served; only the app knows them (its registry
    and any extra providers), so ``fault_providers`` is checked when they are given.
    """
    if config.now is not None and config.now.utcoffset() is None:
        raise ValueError("SandboxConfig.now must be timezone-aware (UTC)")
    if config.orders < 0:
        raise ValueError("SandboxConfig.orders must be >= 0")
    if not 0.0 <= config.fault_rate <= 1.0:
        raise ValueError("SandboxConfig.fault_rate must be within [0, 1]")
    unknown = [kind for kind in config.faults if kind not in FAULT_KINDS]
    if unknown:
        raise ValueError(f"unknown fault kinds {unknown}; known: {list(FAULT_KINDS)}")
    if providers is not None and config.fault_providers is not None:
        unknown = [name for name in config.fault_providers if name not in providers]
        if unknown:
            raise ValueError(f"unknown fault providers {unknown}; known: {list(providers)}")
    if config.retry_after_s < 0:
        raise ValueError("SandboxConfig.retry_after_s must be >= 0")
    if config.esim_rate_limit is not None and config.esim_rate_limit < 1:
        raise ValueError("SandboxConfig.esim_rate_limit must be >= 1 (or None)")
    if config.esim_rate_window_s <= 0:
        raise ValueError("SandboxConfig.esim_rate_window_s must be > 0")
    if config.pressone_page_cap < 1:
        raise ValueError("SandboxConfig.pressone_page_cap must be >= 1")
    if config.pressone_envelope not in ("bare", "wrapped", "wrapped-data"):
        raise ValueError(
            "SandboxConfig.pressone_envelope must be 'bare', 'wrapped' or 'wrapped-data'"
        )
    if config.pressone_list_order not in LIST_ORDERS:
        raise ValueError(
            "SandboxConfig.pressone_list_order must be 'newest-first' or 'oldest-first'"
        )
