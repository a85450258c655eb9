"""Lenient readers for provider JSON values: string numbers, odd dates, missing fields."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from ..text import clean_provider_text

E = TypeVar("E")

# No price, allowance or count has more digits than this; a provider number beyond it is
# garbage, and one like 1e999999999 would take minutes and gigabytes to turn into digits.
MAX_DIGITS = 40


def text(value: Any, cap: int = 500) -> str | None:
    """A cleaned string, or None for null, empty and non-scalar values."""
    if value is None or isinstance(value, dict | list):
        return None
    cleaned = clean_provider_text(str(value), cap)
    return cleaned or None


def integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**MAX_DIGITS else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if abs(value) < 10**MAX_DIGITS else None
    if isinstance(value, str):
        number = decimal(value)
        if number is not None and number == number.to_integral_value():
            return int(number)
    return None


def decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        raw = str(value).strip()
        number = Decimal(raw) if len(raw) <= MAX_DIGITS * 2 else Decimal("NaN")
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    _, digits, exponent = number.as_tuple()
    if len(digits) > MAX_DIGITS or not -MAX_DIGITS <= int(exponent) <= MAX_DIGITS:
        return None
    return number


def boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | str) and str(value).strip().lower() in ("1", "true", "yes"):
        return True
    if isinstance(value, int | str) and str(value).strip().lower() in ("0", "false", "no"):
        return False
    return None


def timestamp(value: Any) -> datetime | None:
    """A timezone-aware time; zoneless provider times are UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip().replace(" ", "T", 1)
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def enum_or_unknown(table: dict[str, E], raw: str | None, unknown: E) -> E:
    """Map a provider value; one we do not know is UNKNOWN (the raw value is kept elsewhere)."""
    if raw is None:
        return unknown
    return table.get(raw.strip().upper(), table.get(raw.strip().lower(), unknown))


def digits(value: Any, max_len: int = 22) -> str | None:
    """An ICCID or MSISDN exactly as sent: a JSON integer (of any size, kept whole) or a
    string of digits; a float has already lost digits, so it is refused, never rounded."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        written = str(value)
    elif isinstance(value, str):
        written = value.strip()
    else:
        return None
    return written if written.isdigit() and 0 < len(written) <= max_len else None
