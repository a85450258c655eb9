"""How long an order may sit in a waiting state before explain_failure calls it stuck."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from ..settings import Settings


@dataclass(frozen=True)
class Thresholds:
    """Ages past which a waiting state counts as stuck; defaults match `Settings`."""

    processing: timedelta = timedelta(minutes=30)
    pending: timedelta = timedelta(hours=24)
    downloaded: timedelta = timedelta(hours=24)

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        return cls(
            processing=timedelta(minutes=settings.stuck_processing_minutes),
            pending=timedelta(hours=settings.stuck_pending_hours),
            downloaded=timedelta(hours=settings.stuck_downloaded_hours),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Thresholds:
        """Through `Settings.from_env`, so the variables are read and checked in one place."""
        return cls.from_settings(Settings.from_env(env))
