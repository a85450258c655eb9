"""Opaque page cursors: a keyset anchor tied to the query that made it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time

from ..models import Order, OrderFilter, newest_first_key
from .errors import ToolInputError

# Not a secret: the MAC only tells an edited or truncated cursor from a real one, so that
# several server processes (no shared state) accept each other's cursors.
_KEY = b"esim-orders/cursor/v1"
MAX_AGE_SECONDS = 24 * 3600

AnchorKey = tuple[bool, float, str]


def fingerprint(order_filter: OrderFilter) -> str:
    canonical = order_filter.model_dump_json()
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode(order_filter: OrderFilter, last: Order, now: float | None = None) -> str:
    """The cursor for the page after `last` under `order_filter`."""
    missing, ts, ref = newest_first_key(last)
    body = json.dumps(
        {"f": fingerprint(order_filter), "a": [missing, ts, ref], "t": int(now or time.time())},
        separators=(",", ":"),
    ).encode()
    mac = hmac.new(_KEY, body, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(mac + body).decode().rstrip("=")


def decode(cursor: str, order_filter: OrderFilter, now: float | None = None) -> AnchorKey:
    """The anchor a cursor points after; a clear error for forged, foreign or stale ones."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise _bad("it is not a cursor from list_orders") from None
    mac, body = raw[:12], raw[12:]
    if not hmac.compare_digest(mac, hmac.new(_KEY, body, hashlib.sha256).digest()[:12]):
        raise _bad("it is not a cursor from list_orders (damaged or edited)")
    data = json.loads(body)
    if data["f"] != fingerprint(order_filter):
        raise _bad("it belongs to a listing with other filters; repeat those filters or start over")
    if (now or time.time()) - data["t"] > MAX_AGE_SECONDS:
        raise _bad("it has expired; list again without a cursor")
    missing, ts, ref = data["a"]
    return (bool(missing), float(ts), str(ref))


def _bad(problem: str) -> ToolInputError:
    return ToolInputError("cursor", problem + ". Omit cursor to start from the first page.")
