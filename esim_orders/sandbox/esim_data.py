"""Which state each issued eSIM of the sandbox is in: deterministic, and every state support
must diagnose reached whenever the data has enough eSIMs.

Derived from the generated orders without drawing from their RNGs (each eSIM's numbers come
from a `random.Random` seeded with its own id), so adding this changed no order. The eSIMs
of completed orders are visited newest first; each takes the scarcest state still missing
whose condition it meets (a recycled eSIM must be old, a manual APN needs an operator that
asks for one), and once every state is taken, a state drawn for it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from esim_orders.sandbox.generation import DAY

#: PressOne scenarios, scarcest condition first; each maps to the upstream's usage status.
PRESSONE_STATUS = {
    "recycled": "RECYCLED",
    "expired": "EXPIRED",
    "never_used": "NOT_ACTIVE",
    "manual_apn": "ACTIVE",
    "waiting": "NOT_ACTIVE",
    "finished": "FINISHED",
    "unknown": "UNKNOWN",
    "active": "ACTIVE",
}
#: Zim scenarios, scarcest condition first (a fresh RELEASED one is the least needed); each
#: maps to Zim's eSIM status.
ZIM_STATUS = {
    "released_old": "RELEASED",
    "downloaded_stuck": "DOWNLOADED",
    "online": "ONLINE",
    "uninstalled": "UNINSTALLED",
    "unavailable": "UNAVAILABLE",
    "undocumented": "SUSPENDED",  # not in Zim's list: clients must keep the word
    "released_fresh": "RELEASED",
}


@dataclass(frozen=True)
class Candidate:
    """One issued eSIM as the assignment sees it."""

    key: str  # ICCID (PressOne) or eSIM id (Zim)
    age_s: int  # since its order was created
    manual_apn: bool = False
    validity_days: int = 30
    unlimited: bool = False
    subscription: str | None = None  # Zim's subscription status


Condition = Callable[[Candidate], bool]

_PRESSONE_WHEN: dict[str, Condition] = {
    "recycled": lambda c: c.age_s > 30 * DAY,
    "expired": lambda c: c.age_s > c.validity_days * DAY,
    "never_used": lambda c: c.age_s > 4 * DAY,
    "manual_apn": lambda c: c.manual_apn and c.age_s > 3600,
    "waiting": lambda c: c.age_s < 2 * DAY,
    "finished": lambda c: not c.unlimited,
    "unknown": lambda c: True,
    "active": lambda c: True,
}
_LIVE = ("ACTIVE", "PENDING")
# A removed eSIM may have used its data first; one Zim knows nothing of may be cancelled.
_ZIM_WHEN: dict[str, Condition] = {
    "released_old": lambda c: c.subscription in _LIVE and c.age_s > 4 * DAY,
    "downloaded_stuck": lambda c: c.subscription in _LIVE and c.age_s >= 2 * DAY,
    "online": lambda c: c.subscription in _LIVE,
    "uninstalled": lambda c: c.subscription in (*_LIVE, "DEPLETED") and c.age_s > DAY,
    "unavailable": lambda c: c.subscription in (*_LIVE, "CANCELLED"),
    "undocumented": lambda c: c.subscription in (*_LIVE, "CANCELLED"),
    "released_fresh": lambda c: c.subscription in _LIVE and c.age_s < 2 * DAY,
}
#: What a Zim eSIM is when its subscription already says (used up, expired, cancelled).
_ZIM_BY_SUBSCRIPTION = {
    "PROCESSING": "PROCESSING",
    "DEPLETED": "ONLINE",
    "EXPIRED": "EXPIRED",
    "CANCELLED": "DISABLED",
}


def assign(
    candidates: Iterable[Candidate],
    when: dict[str, Condition],
    draw: Callable[[Candidate, random.Random], str],
    fixed: Callable[[Candidate], str | None] = lambda c: None,
) -> dict[str, str]:
    """Scenario by eSIM key: the scarcest missing one whose condition holds, else what the
    candidate's subscription fixes (`fixed`), else a draw."""
    missing = list(when)
    out: dict[str, str] = {}
    for candidate in candidates:
        pick = next((name for name in missing if when[name](candidate)), None)
        if pick is not None:
            missing.remove(pick)
        else:
            pick = fixed(candidate) or draw(candidate, random.Random(f"esim:{candidate.key}"))
        out[candidate.key] = pick
    return out


def _pressone_draw(c: Candidate, rng: random.Random) -> str:
    if c.age_s > c.validity_days * DAY:
        return "expired" if rng.random() < 0.85 else "recycled"
    if c.age_s < DAY:
        return "waiting" if rng.random() < 0.5 else "active"
    roll = rng.random()
    if roll < 0.75:
        return "manual_apn" if c.manual_apn and roll < 0.05 else "active"
    if roll < 0.88 and not c.unlimited:
        return "finished"
    return "never_used" if c.age_s > 4 * DAY else "waiting"


def pressone_scenarios(candidates: Iterable[Candidate]) -> dict[str, str]:
    """Scenario by ICCID, for the eSIMs of completed orders newest first."""
    return assign(candidates, _PRESSONE_WHEN, _pressone_draw)


def _zim_draw(c: Candidate, rng: random.Random) -> str:
    roll = rng.random()
    if c.subscription == "PENDING":
        return "released_fresh" if c.age_s < 2 * DAY else "online"
    return "online" if roll < 0.9 else "uninstalled"


def zim_scenarios(candidates: Iterable[Candidate]) -> dict[str, str]:
    """Scenario (or a fixed eSIM status) by eSIM id, for fulfilled orders newest first."""
    return assign(
        candidates,
        _ZIM_WHEN,
        _zim_draw,
        fixed=lambda c: _ZIM_BY_SUBSCRIPTION.get(c.subscription or ""),
    )


def zim_status(scenario: str) -> str:
    """Zim's eSIM status word for a scenario (or a status fixed by the subscription)."""
    return ZIM_STATUS.get(scenario, scenario)
