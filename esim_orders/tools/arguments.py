"""Argument types the tools share, lenient where a caller's intent is plain: an enum value in
any case ("failed", "Failed"), and one value where a list is asked for (`status: "FAILED"`),
over MCP and on the command line alike. The schemas still state the canonical form."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from ..models import OrderStatus, OrderType

__all__ = ["Statuses", "Stripped", "Type"]


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Status = Annotated[OrderStatus, BeforeValidator(_upper)]
# The length check sits on the list itself, before the wrapping, so it words as a list's.
Statuses = Annotated[list[Status], Field(min_length=1, max_length=8), BeforeValidator(_listed)]
Type = Annotated[OrderType, BeforeValidator(_upper)]
#: Text with the spaces around it dropped before it is checked: a ref copied with a trailing
#: space is the ref.
Stripped = Annotated[str, StringConstraints(strip_whitespace=True)]
