"""What counts as a secret or personal data in provider payloads, and how it is removed."""

from __future__ import annotations

import re
from typing import Any

# Keys whose values install an eSIM on any phone, or authenticate us to a provider.
SECRET_KEYS = frozenset(
    {
        "qrcode",
        "qrcode_url",
        "matching_id",
        "confirmation_code",
        "manual_installation",
        "qrcode_installation",
        "access_token",
        "refresh_token",
        "client_secret",
        "client_id",
    }
)
# Keys that hold the end customer's personal data.
PERSONAL_KEYS = frozenset(
    {"name", "email", "mobile", "phone", "address", "postal_code", "city", "state", "company"}
)
# Personal keys only mean personal data inside these objects (a plan also has a "name").
PERSONAL_CONTAINERS = frozenset({"user", "customer"})

REDACTED = "[redacted]"
MAX_DEPTH = 32
LPA_PATTERN = re.compile(r"LPA:1\$[^$\s\"']+\$[^\s\"'<&]+", re.IGNORECASE)
# Bounded as addresses are (64-character local part, 253-character domain), so a hostile
# 100 KB string is scanned in linear time, not quadratic.
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")


def redact_payload(
    value: Any, *, personal: bool = True, _in_person: bool = False, _depth: int = 0
) -> Any:
    """A copy of a JSON value with secrets replaced; personal fields too when `personal`.

    Values nested deeper than `MAX_DEPTH` are replaced whole: a hostile payload nested
    hundreds deep must not exhaust the stack, and nothing that deep is worth keeping.
    """
    if isinstance(value, dict | list) and _depth >= MAX_DEPTH:
        return REDACTED
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            lowered = str(key).lower()
            if (lowered in SECRET_KEYS and item is not None) or (
                personal and _in_person and lowered in PERSONAL_KEYS and item is not None
            ):
                out[key] = REDACTED
            else:
                out[key] = redact_payload(
                    item,
                    personal=personal,
                    _in_person=lowered in PERSONAL_CONTAINERS,
                    _depth=_depth + 1,
                )
        return out
    if isinstance(value, list):
        return [
            redact_payload(item, personal=personal, _in_person=_in_person, _depth=_depth + 1)
            for item in value
        ]
    if isinstance(value, str):
        return redact_text(value, emails=personal)
    return value


def _pairs(keys: frozenset[str]) -> re.Pattern[str]:
    """`"key": "value` for any of `keys`, the value up to its closing quote or the end of
    the text (a truncated answer cuts values short too)."""
    names = "|".join(sorted(re.escape(key) for key in keys))
    return re.compile(rf'"({names})"(\s*:\s*)"(?:[^"\\]|\\.)*', re.IGNORECASE)


# JSON that did not parse (a truncated answer) is redacted as text: its secret fields too.
_SECRET_PAIRS = _pairs(SECRET_KEYS)
_PERSONAL_PAIRS = _pairs(PERSONAL_KEYS)


def _redact_pair(match: re.Match[str]) -> str:
    return f'"{match.group(1)}"{match.group(2)}"{REDACTED}'


def redact_text(text: str, *, emails: bool = True) -> str:
    """Activation codes (and e-mail addresses and personal fields) out of free text."""
    text = LPA_PATTERN.sub(REDACTED, text)
    text = _SECRET_PAIRS.sub(_redact_pair, text)
    if not emails:
        return text
    return EMAIL_PATTERN.sub(REDACTED, _PERSONAL_PAIRS.sub(_redact_pair, text))
