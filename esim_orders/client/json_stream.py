"""A provider's JSON array read as a stream: rows handed on one at a time as bytes arrive,
the bytes kept zlib-compressed for another reading, never the whole body in memory."""

from __future__ import annotations

import re
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import anyio.lowlevel
import ijson

from ..errors import ProviderDataError

__all__ = ["CompressedArray", "Visit", "as_loaded", "read_array", "reread_array"]

#: The most bytes handed to the parser (or the compressor) at once: a transport may hand over
#: a whole body as one chunk (an in-process app does), and a slice of it is all we copy.
PIECE = 64 * 1024
#: Rows visited between two yields to the event loop: parsing a whole account takes seconds,
#: and other requests and tool calls must run in between.
VISIT_SLICE = 100
#: zlib level 1: the fastest; JSON still shrinks five- to sixfold.
LEVEL = 1
#: Deepest nesting read, about where `json.loads` gives up: the parser keeps the path to each
#: value, so an answer nested a hundred thousand deep would cost it gigabytes.
MAX_DEPTH = 1000
_BOM = b"\xef\xbb\xbf"

#: Called with each element of the array, in order, as it is parsed. Numbers that are not
#: integers come as `Decimal` (see `as_loaded`).
Visit = Callable[[Any], None]


def as_loaded(value: Any) -> Any:
    """`value` with its numbers as `json.loads` reads them: the `Decimal`s of non-integral
    numbers become floats, in place. The parser reads them as Decimals because its float mode
    refuses integers past 64 bits, which `json.loads` (and so every row parser) accepts;
    converting only the rows that are parsed keeps the scan cheap. Iterative: a row may
    nest hundreds deep."""
    if isinstance(value, Decimal):
        return float(value)
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            entries: Iterable[tuple[Any, Any]] = item.items()
        elif isinstance(item, list):
            entries = enumerate(item)
        else:
            continue
        for key, member in entries:
            if isinstance(member, Decimal):
                item[key] = float(member)
            elif isinstance(member, dict | list):
                stack.append(member)
    return value


@dataclass(frozen=True)
class CompressedArray:
    """An answer's bytes as zlib chunks (joining them would only copy), and what reading
    them found: `raw_size` bytes, `is_array` when the JSON was an array."""

    chunks: tuple[bytes, ...]
    raw_size: int
    is_array: bool

    @property
    def size(self) -> int:
        """Compressed bytes held."""
        return sum(len(chunk) for chunk in self.chunks)


async def read_array(chunks: AsyncIterator[bytes], visit: Visit, provider: str) -> CompressedArray:
    """Parse a body as it arrives, visiting each element of the array, and keep it compressed.

    Raises `ProviderDataError` when the body is not JSON or stops short, so the gateway asks
    for it again (`Gateway.stream`). A body that is JSON but no array visits nothing and says
    so in `is_array`: the caller decides what that shape means.
    """
    parser = _ArrayParser(visit, provider)
    packer = zlib.compressobj(LEVEL)
    packed: list[bytes] = []
    async for chunk in chunks:
        for piece in _pieces(chunk):
            out = packer.compress(piece)
            if out:
                packed.append(out)
            await parser.feed(piece)
    packed.append(packer.flush())
    return CompressedArray(tuple(packed), parser.size, parser.close())


async def reread_array(body: CompressedArray, visit: Visit, provider: str) -> None:
    """Visit each element again from the compressed bytes, a piece at a time."""
    parser = _ArrayParser(visit, provider)
    unpacker = zlib.decompressobj()
    for packed in body.chunks:
        while packed:
            data = unpacker.decompress(packed, PIECE)
            packed = unpacker.unconsumed_tail
            if data:
                await parser.feed(data)
    tail = unpacker.flush()
    if tail:
        await parser.feed(tail)
    parser.close()


def _pieces(chunk: bytes) -> Iterator[bytes]:
    if len(chunk) <= PIECE:
        yield chunk
        return
    view = memoryview(chunk)
    for start in range(0, len(chunk), PIECE):
        yield bytes(view[start : start + PIECE])


class _ArrayParser:
    """ijson's push parser (its C backend, yajl2_c) over a top-level array's elements."""

    def __init__(self, visit: Visit, provider: str) -> None:
        self._visit = visit
        self._provider = provider
        self._rows = ijson.sendable_list()
        self._parser = ijson.items_coro(self._rows, "item")
        self._first: bytes | None = None  # the first byte that is not blank
        self._nesting = _Nesting()
        self.size = 0
        self.visited = 0

    async def feed(self, data: bytes) -> None:
        if not self.size and data.startswith(_BOM):
            data = data[len(_BOM) :]  # as `json.loads` allows one
            self.size += len(_BOM)
        self.size += len(data)
        if not self._nesting.allows(data):
            raise self._unreadable()
        if self._first is None:
            start = data.lstrip(b" \t\r\n")[:1]
            self._first = start or None
        try:
            self._parser.send(data)
        except (ijson.JSONError, ValueError, UnicodeDecodeError):
            raise self._unreadable() from None
        for row in self._rows:
            self._visit(row)
            self.visited += 1
            if self.visited % VISIT_SLICE == 0:
                await anyio.lowlevel.checkpoint()
        del self._rows[:]

    def close(self) -> bool:
        """End of the body: raises when it stopped short; whether it was an array."""
        try:
            self._parser.close()
        except (ijson.JSONError, ValueError, UnicodeDecodeError):
            raise self._unreadable() from None
        for row in self._rows:
            self._visit(row)
        del self._rows[:]
        return self._first == b"["

    def _unreadable(self) -> ProviderDataError:
        # ijson's message quotes the body around the error: provider text, kept out of errors.
        return ProviderDataError(
            self._provider,
            f"answer is not JSON, or stops short ({self.size} bytes read, {self.visited} rows)",
        )


class _Nesting:
    """How deep the JSON read so far nests, tracked at C speed (bytes methods only) across
    pieces: brackets count outside strings, and a piece that could pass `MAX_DEPTH` is walked
    bracket by bracket."""

    _BRACKETS = re.compile(rb"[\[\]{}]")

    def __init__(self) -> None:
        self.depth = 0
        self._in_string = False
        self._carry = b""  # a backslash that ended the last piece: it escapes the next byte

    def allows(self, piece: bytes) -> bool:
        if self._carry:
            piece, self._carry = self._carry + piece, b""
        if b"\\" in piece:
            # Escaped quotes (and escaped backslashes, which may precede a real quote) are
            # not quotes: drop them before splitting on quotes.
            piece = piece.replace(b"\\\\", b"").replace(b'\\"', b"")
            if piece.endswith(b"\\"):
                piece, self._carry = piece[:-1], b"\\"
        parts = piece.split(b'"')
        outside = b"".join(parts[1::2] if self._in_string else parts[0::2])
        if len(parts) % 2 == 0:
            self._in_string = not self._in_string
        opened = outside.count(b"[") + outside.count(b"{")
        if self.depth + opened <= MAX_DEPTH:
            self.depth += opened - outside.count(b"]") - outside.count(b"}")
            return True
        for bracket in self._BRACKETS.findall(outside):
            self.depth += 1 if bracket in (b"[", b"{") else -1
            if self.depth > MAX_DEPTH:
                return False
        return True
