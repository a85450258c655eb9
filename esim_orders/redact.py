"""What counts as a secret or personal data in provider payloads, and how it is removed."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote, quote_plus

# Keys whose values install an eSIM on any phone, or authenticate us to a provider.
SECRET_KEYS = frozenset(
    {
        "qrcode",
        "qrcode_url",
        "matching_id",
        "confirmation_code",
        "manual_installation",
        "qrcode_installation",
        # eSIM reads: Zim's eSIM object, PressOne's eSIM record
        "matchingid",
        "qrcodelink",
        "direct_apple_installation_url",
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
# Personal wherever they appear: an eSIM's phone number (Zim's `msisdn`, a bare number).
PERSONAL_ANYWHERE = frozenset({"msisdn"})

REDACTED = "[redacted]"
MAX_DEPTH = 32
LPA_PATTERN = re.compile(r"LPA:1\$[^$\s\"']+\$[^\s\"'<&]+", re.IGNORECASE)
# Bounded as addresses are (64-character local part, 253-character domain), so a hostile
# 100 KB string is scanned in linear time, not quadratic.
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")


def redact_payload(value: Any, *, personal: bool = True) -> Any:
    """A copy of a JSON value with secrets replaced; personal fields too when `personal`.

    Values nested deeper than `MAX_DEPTH` are replaced whole: a hostile payload nested
    hundreds deep must not exhaust the stack, and nothing that deep is worth keeping.
    Every order of a listing passes through here, so the walk is kept lean.
    """
    hidden = SECRET_KEYS | PERSONAL_KEYS if personal else SECRET_KEYS

    def walk(value: Any, in_person: bool, depth: int) -> Any:
        kind = type(value)
        if kind is str:
            return redact_text(value, emails=personal)
        if kind is dict:
            if depth >= MAX_DEPTH:
                return REDACTED
            out: dict[str, Any] = {}
            for key, item in value.items():
                lowered = key.lower() if type(key) is str else str(key).lower()
                if item is not None and (
                    lowered in SECRET_KEYS
                    or (in_person and lowered in hidden)
                    or (personal and lowered in PERSONAL_ANYWHERE)
                ):
                    out[key] = REDACTED
                else:
                    out[key] = walk(item, lowered in PERSONAL_CONTAINERS, depth + 1)
            return out
        if kind is list:
            if depth >= MAX_DEPTH:
                return REDACTED
            return [walk(item, in_person, depth + 1) for item in value]
        return value

    return walk(value, False, 0)


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
    # Each pattern needs a character most provider strings lack: test for it first, the
    # listing path redacts every string of every order.
    if "$" in text:
        text = LPA_PATTERN.sub(REDACTED, text)
    quoted = '"' in text
    if quoted:
        text = _SECRET_PAIRS.sub(_redact_pair, text)
    if not emails:
        return text
    if quoted:
        text = _PERSONAL_PAIRS.sub(_redact_pair, text)
    return EMAIL_PATTERN.sub(REDACTED, text) if "@" in text else text


class HeldSecrets:
    """The secret values this process holds: provider credentials, access tokens, the HTTP
    bearer token. A provider may repeat them back in any text (an error that quotes the form
    we sent, a header echoed in an HTML page), so every provider text and log line passes
    through `scrub`, which replaces them as sent, form- or URL-encoded, or HTML-escaped.

    Values shorter than `MIN_LENGTH` are not held: they are not secrets worth the name (Zim's
    public default app identifier is "b2b") and would blank ordinary words. Access tokens
    rotate, so only the newest `MAX_TOKENS` are held.
    """

    MIN_LENGTH = 6
    MAX_TOKENS = 32

    def __init__(self) -> None:
        self._credentials: dict[str, None] = {}
        self._tokens: dict[str, None] = {}
        self._pattern: re.Pattern[str] | None = None

    def add(self, *values: str | None, token: bool = False) -> None:
        held = self._tokens if token else self._credentials
        for value in values:
            if value and len(value) >= self.MIN_LENGTH and value not in held:
                held[value] = None
                self._pattern = None
        while len(self._tokens) > self.MAX_TOKENS:
            del self._tokens[next(iter(self._tokens))]

    def scrub(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None:
            if not (self._credentials or self._tokens):
                return text
            pattern = self._pattern = self._compile()
        return pattern.sub(REDACTED, text) if pattern.search(text) else text

    def _compile(self) -> re.Pattern[str]:
        forms = {
            form
            for value in (*self._credentials, *self._tokens)
            for form in (value, quote(value, safe=""), quote_plus(value), html.escape(value))
        }
        longest_first = sorted(forms, key=len, reverse=True)
        return re.compile("|".join(re.escape(form) for form in longest_first))


#: The process's one set of held secrets (the credentials and tokens are the process's too).
held_secrets = HeldSecrets()
