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
LPA_PATTERN = re.compile(r"LPA:1\$[^$\s\"']+\$[^\s\"'<&]+", re.IGNORECASE)
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def redact_payload(value: Any, *, personal: bool = True, _in_person: bool = False) -> Any:
    """A copy of a JSON value with secrets replaced; personal fields too when `personal`."""
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
                    item, personal=personal, _in_person=lowered in PERSONAL_CONTAINERS
                )
        return out
    if isinstance(value, list):
        return [redact_payload(item, personal=personal, _in_person=_in_person) for item in value]
    if isinstance(value, str):
        return redact_text(value, emails=personal)
    return value


def redact_text(text: str, *, emails: bool = True) -> str:
    """Activation codes (and e-mail addresses) out of free text."""
    text = LPA_PATTERN.sub(REDACTED, text)
    return EMAIL_PATTERN.sub(REDACTED, text) if emails else text
