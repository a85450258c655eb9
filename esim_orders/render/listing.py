"""The fields of one listing line, built once; text, HTML and Markdown render these cells."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from .order import status_label, when

__all__ = ["COLUMNS", "Cell", "Kind", "Listed", "ListingLine", "listing_line"]

#: What a cell holds; each face chooses how it shows each kind (a badge, a prefix, a cap).
Kind = Literal["ref", "created", "status", "type", "code", "plan", "price", "reason"]

#: The listing's columns, in the order every face writes them.
COLUMNS: tuple[str, ...] = (
    "Order",
    "Created",
    "Status",
    "Type",
    "Code",
    "Plan",
    "Price",
    "Failure reason",
)


class Listed(Protocol):
    """What a listing line is built from: the tools' `OrderSummary` (a layer above) has it."""

    @property
    def ref(self) -> str: ...
    @property
    def created_at(self) -> datetime | None: ...
    @property
    def status(self) -> str: ...
    @property
    def provider_status(self) -> str | None: ...
    @property
    def type(self) -> str: ...
    @property
    def code(self) -> str | None: ...
    @property
    def plan(self) -> str | None: ...
    @property
    def price(self) -> str | None: ...
    @property
    def failure_reason(self) -> str | None: ...


@dataclass(frozen=True)
class Cell:
    """One field: its column, its kind and its words ("" when the order has none).
    `status` is the normalized status of the status cell, for a face that colours it."""

    column: str
    kind: Kind
    value: str
    status: str = ""


@dataclass(frozen=True)
class ListingLine:
    """One order of a listing as cells, in `COLUMNS` order."""

    cells: tuple[Cell, ...]

    def __getitem__(self, kind: Kind) -> Cell:
        return next(cell for cell in self.cells if cell.kind == kind)


def listing_line(summary: Listed) -> ListingLine:
    """The line's cells; dates in full (`when`), the status with the provider's own word."""
    values: tuple[tuple[Kind, str], ...] = (
        ("ref", summary.ref),
        ("created", when(summary.created_at) if summary.created_at else ""),
        ("status", status_label(summary.status, summary.provider_status)),
        ("type", summary.type),
        ("code", summary.code or ""),
        ("plan", summary.plan or ""),
        ("price", summary.price or ""),
        ("reason", summary.failure_reason or ""),
    )
    return ListingLine(
        tuple(
            Cell(column, kind, value, status=summary.status if kind == "status" else "")
            for column, (kind, value) in zip(COLUMNS, values, strict=True)
        )
    )
