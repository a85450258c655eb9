"""Opaque page cursors: where each provider stands in a listing, tied to the query that
made it, signed so any worker accepts any other's, and kept short."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import struct
import time
import zlib
from collections.abc import Mapping
from typing import Any

from ..models import OrderFilter, Provider
from ..service.pages import Standing
from .errors import ToolInputError

# Not a secret: the MAC only tells an edited or truncated cursor from a real one, so that
# several server processes (no shared state) accept each other's cursors.
_KEY = b"esim-orders/cursor/v3"
MAX_AGE_SECONDS = 24 * 3600
# MAC, query fingerprint, issue time (s); the compressed standings follow.
_HEAD = struct.Struct(">8s6sI")
#: Longest cursor accepted (and the tool's argument limit): a few providers' positions.
MAX_CURSOR = 600


def fingerprint(order_filter: OrderFilter) -> bytes:
    return hashlib.sha256(order_filter.model_dump_json().encode()).digest()[:6]


def encode(
    order_filter: OrderFilter,
    shown: int,
    standings: Mapping[Provider, Standing],
    now: float | None = None,
) -> str:
    """The cursor for the page after `shown` orders, with where each provider stands."""
    state = {
        "n": shown,
        "s": {
            p.value: [s.position, s.done, s.total, s.exact]
            for p, s in sorted(standings.items())  # one listing, one cursor, however it ran
        },
    }
    packed = zlib.compress(json.dumps(state, separators=(",", ":")).encode(), 9)
    issued = int(now if now is not None else time.time())
    body = _HEAD.pack(b"", fingerprint(order_filter), issued)[8:] + packed
    mac = hmac.new(_KEY, body, hashlib.sha256).digest()[:8]
    return base64.urlsafe_b64encode(mac + body).decode().rstrip("=")


def decode(
    cursor: str, order_filter: OrderFilter, now: float | None = None
) -> tuple[int, dict[Provider, Standing]]:
    """Orders shown so far and where each provider stands; a clear error for forged,
    foreign or stale cursors."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        mac, print_, issued = _HEAD.unpack_from(raw)
    except (binascii.Error, ValueError, struct.error):
        raise _bad("it is not a cursor from {list_orders}") from None
    expected = hmac.new(_KEY, raw[8:], hashlib.sha256).digest()[:8]
    if not hmac.compare_digest(mac, expected):
        raise _bad("it is not a cursor from {list_orders} (damaged or edited)")
    if print_ != fingerprint(order_filter):
        raise _bad("it belongs to a listing with other filters; repeat those filters or start over")
    if (now if now is not None else time.time()) - issued > MAX_AGE_SECONDS:
        raise _bad("it has expired; list again without a cursor")
    try:
        unpacker = zlib.decompressobj()
        state = json.loads(unpacker.decompress(raw[_HEAD.size :], 4 * MAX_CURSOR))
        shown = state["n"]
        if not isinstance(shown, int) or not 0 <= shown < 10**12:
            raise ValueError("shown")
        return shown, {Provider(k): _standing(v) for k, v in state["s"].items()}
    except (zlib.error, ValueError, KeyError, TypeError, AttributeError):
        raise _bad("it is not a cursor this server can continue") from None


def _standing(value: Any) -> Standing:
    position, done, total, exact = value
    if position is not None and not isinstance(position, dict):
        raise ValueError("position")
    return Standing(position, bool(done), total if isinstance(total, int) else None, bool(exact))


def _bad(problem: str) -> ToolInputError:
    return ToolInputError("cursor", problem + ". Omit {cursor} to start from the first page.")
