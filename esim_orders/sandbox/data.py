"""Both providers' generated data, built together from one seed and reference time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from esim_orders.sandbox.pressone_data import PressOneData, generate_pressone
from esim_orders.sandbox.zim_data import ZimData, generate_zim


@dataclass
class SandboxData:
    now: datetime
    pressone: PressOneData
    zim: ZimData


def generate(seed: int, orders: int, now: datetime) -> SandboxData:
    """Build both providers' data; a pure function of its arguments.

    Each provider draws from its own seeded RNG, so changing one generator never shifts
    the other's data.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    return SandboxData(
        now=now,
        pressone=generate_pressone(seed, orders, now),
        zim=generate_zim(seed, orders, now),
    )
