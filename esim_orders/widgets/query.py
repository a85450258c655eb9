"""The explorer's filters as one value, translated into `list_orders` arguments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..models import OrderStatus, OrderType, Provider


@dataclass(frozen=True)
class OrderQuery:
    """What a person asked to see. `created_to` is inclusive, as people read a date range;
    `list_orders` takes an exclusive `created_before`, so the day after is passed on."""

    provider: Provider | None = None
    statuses: tuple[OrderStatus, ...] = ()
    type: OrderType | None = None
    created_from: date | None = None
    created_to: date | None = None
    text: str | None = None

    def tool_arguments(self) -> dict[str, Any]:
        """Keyword arguments for `list_orders` (without service, limit and cursor)."""
        args: dict[str, Any] = {}
        if self.provider is not None:
            args["provider"] = self.provider
        if self.statuses:
            args["status"] = list(self.statuses)
        if self.type is not None:
            args["type"] = self.type
        if self.created_from is not None:
            args["created_after"] = self.created_from
        if self.created_to is not None:
            args["created_before"] = self.created_to + timedelta(days=1)
        if self.text:
            args["text"] = self.text
        return args

    def describe(self) -> str:
        """One line for captions and file names' neighbours: `FAILED · zim · from 2026-11-01`."""
        parts = []
        if self.provider is not None:
            parts.append(self.provider.value)
        if self.statuses:
            parts.append(", ".join(s.value for s in self.statuses))
        if self.type is not None:
            parts.append(self.type.value)
        if self.created_from is not None:
            parts.append(f"from {self.created_from.isoformat()}")
        if self.created_to is not None:
            parts.append(f"to {self.created_to.isoformat()}")
        if self.text:
            parts.append(f'"{self.text}" in plan, place or description')
        return " · ".join(parts) or "all orders"
