"""Every checked-in cassette is free of credentials, tokens, activation codes and e-mails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from esim_orders.redact import EMAIL_PATTERN, LPA_PATTERN
from esim_orders.sandbox import SANDBOX_CLIENT_SECRET

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
FILES = sorted(CASSETTES.rglob("*.yaml"))

FORBIDDEN = {
    "LPA activation string": LPA_PATTERN,
    "e-mail address": EMAIL_PATTERN,
    "bearer token": re.compile(r"[Bb]earer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}"),
    "client secret in a form": re.compile(
        r"client_secret=(?!%5Bredacted%5D|\[redacted\])[^&\s'\"]+"
    ),
    "access token value": re.compile(r'"access_token":\s*"(?!\[redacted\])[^"]+"'),
    "matching id or confirmation code": re.compile(
        r'"(?:matching_id|confirmation_code|qrcode|matchingID|qrCodeLink'
        r'|direct_apple_installation_url)":\s*"(?!\[redacted\])[^"]+"'
    ),
    "eSIM phone number": re.compile(r'"msisdn":\s*(?!"\[redacted\]"|null)[^,}\s]+'),
    "sandbox secret": re.compile(re.escape(SANDBOX_CLIENT_SECRET)),
    "credential header": re.compile(r"^\s*(authorization|x-app-identifier):", re.I | re.M),
}


def test_cassettes_are_checked_in():
    assert len(FILES) >= 5, "the client tests replay these; record them (see README)"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_cassette_holds_no_secret_or_personal_data(path: Path):
    text = path.read_text()
    found = {
        name: match.group(0)[:40]
        for name, pattern in FORBIDDEN.items()
        if (match := pattern.search(text))
    }
    assert not found, f"{path.name} leaks: {found}"


def test_the_scan_catches_what_it_looks_for():
    leaky = (
        '"qrcode": "LPA:1$smdp.example.com$ABC-123-XYZ" ada@example.com '
        "client_secret=sandbox-secret Bearer abcdefghijkl\nauthorization:\n"
        '"access_token": "tok123"'
        ' "msisdn": 447482482482'
    )
    hits = {name for name, pattern in FORBIDDEN.items() if pattern.search(leaky)}
    assert hits == set(FORBIDDEN)
