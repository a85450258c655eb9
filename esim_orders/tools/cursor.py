"""Opaque page cursors: a keyset anchor tied to the query that made it, kept short."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import time

from ..models import Order, OrderFilter, newest_first_key
from .errors import ToolInputError

# Not a secret: the MAC only tells an edited or truncated cursor from a real one, so that
# several server processes (no shared state) accept each other's cursors.
_KEY = b"esim-orders/cursor/v2"
MAX_AGE_SECONDS = 24 * 3600
# MAC, query fingerprint, flags, anchor sort time (µs), issue time (s); the ref follows.
_HEAD = struct.Struct(">8s6sBqI")

AnchorKey = tuple[bool, int, str]


def fingerprint(order_filter: OrderFilter) -> bytes:
    return hashlib.sha256(order_filter.model_dump_json().encode()).digest()[:6]


def encode(order_filter: OrderFilter, last: Order, now: float | None = None) -> str:
    """The cursor for the page after `last` under `order_filter`."""
    missing, sort_ts, ref = newest_first_key(last)
    issued = int(now if now is not None else time.time())
    body = (
        _HEAD.pack(b"", fingerprint(order_filter), int(missing), sort_ts, issued)[8:] + ref.encode()
    )
    mac = hmac.new(_KEY, body, hashlib.sha256).digest()[:8]
    return base64.urlsafe_b64encode(mac + body).decode().rstrip("=")


def decode(cursor: str, order_filter: OrderFilter, now: float | None = None) -> AnchorKey:
    """The anchor a cursor points after; a clear error for forged, foreign or stale ones."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        mac, print_, missing, sort_ts, issued = _HEAD.unpack_from(raw)
        ref = raw[_HEAD.size :].decode()
    except (binascii.Error, ValueError, struct.error, UnicodeDecodeError):
        raise _bad("it is not a cursor from list_orders") from None
    expected = hmac.new(_KEY, raw[8:], hashlib.sha256).digest()[:8]
    if not hmac.compare_digest(mac, expected):
        raise _bad("it is not a cursor from list_orders (damaged or edited)")
    if print_ != fingerprint(order_filter):
        raise _bad("it belongs to a listing with other filters; repeat those filters or start over")
    if (now if now is not None else time.time()) - issued > MAX_AGE_SECONDS:
        raise _bad("it has expired; list again without a cursor")
    return (bool(missing), sort_ts, ref)


def _bad(problem: str) -> ToolInputError:
    return ToolInputError("cursor", problem + ". Omit cursor to start from the first page.")
