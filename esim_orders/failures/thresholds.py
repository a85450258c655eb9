"""How long an order (or an issued eSIM) may sit in a waiting state before explain_failure
calls it stuck."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

__all__ = ["Thresholds"]


class StuckAges(Protocol):
    """The settings' ages (the settings object sits above this engine's layer)."""

    stuck_processing_minutes: float
    stuck_pending_hours: float
    stuck_downloaded_hours: float
    esim_unused_hours: float


@dataclass(frozen=True)
class Thresholds:
    """Ages past which a waiting state counts as stuck; defaults match `Settings`."""

    processing: timedelta = timedelta(minutes=30)
    pending: timedelta = timedelta(hours=24)
    downloaded: timedelta = timedelta(hours=24)
    #: An issued eSIM not installed (Zim RELEASED) or not used (PressOne NOT_ACTIVE) by then.
    unused: timedelta = timedelta(hours=72)

    @classmethod
    def from_settings(cls, settings: StuckAges) -> Thresholds:
        """The thresholds of the one settings object (read once, at the edge)."""
        return cls(
            processing=timedelta(minutes=settings.stuck_processing_minutes),
            pending=timedelta(hours=settings.stuck_pending_hours),
            downloaded=timedelta(hours=settings.stuck_downloaded_hours),
            unused=timedelta(hours=settings.esim_unused_hours),
        )
