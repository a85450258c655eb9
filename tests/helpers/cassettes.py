"""How every recording in this project is scrubbed before it is saved: client credentials,
tokens, activation codes and the customer's personal fields never reach a cassette."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from esim_orders.redact import REDACTED, redact_payload, redact_text

__all__ = ["CASSETTES", "SECRET_HEADERS", "scrub_request", "scrub_response"]

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
TOKEN_FORM_SECRETS = ("client_id", "client_secret")
SECRET_HEADERS = ("authorization", "x-app-identifier", "set-cookie", "cookie")


def scrub_request(request: Any) -> Any:
    """Token request bodies hold the client credentials: keep the field names only."""
    if request.body:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        fields = [(k, REDACTED if k in TOKEN_FORM_SECRETS else v) for k, v in parse_qsl(body)]
        request.body = urlencode(fields, safe="[]").encode()
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Tokens, activation codes and the customer's personal fields out of every body."""
    # The body changes size when scrubbed; the recorded length would lie.
    response["headers"].pop("content-length", None)
    for header in SECRET_HEADERS:
        response["headers"].pop(header, None)
        response["headers"].pop(header.title(), None)
    raw = response["body"]["string"]
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        cleaned = json.dumps(redact_payload(json.loads(text), personal=True))
    except ValueError:
        cleaned = redact_text(text)
    response["body"]["string"] = cleaned.encode()
    return response
