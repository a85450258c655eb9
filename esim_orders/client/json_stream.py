"""A provider's JSON array read as a stream: rows handed on one at a time as bytes arrive,
the bytes kept zlib-compressed for another reading, never the whole body in memory."""

from __future__ import annotations

import re
import zlib
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import anyio.lowlevel
import anyio.to_thread
import ijson

from ..errors import ProviderDataError

__all__ = ["CompressedArray", "Visit", "as_loaded", "read_array", "reread_array"]

#: The most bytes handed to the parser (or the compressor) at once: a transport may hand over
#: a whole body as one chunk (an in-process app does), and a slice of it is all we copy.
PIECE = 64 * 1024
#: Rows visited between two yields to the event loop: parsing a whole account takes seconds,
#: and other requests and tool calls must run in between.
VISIT_SLICE = 100
#: Pieces waiting for the compression thread at most (4 MB).
MAX_QUEUED = 64
#: zlib level 1: the fastest; JSON still shrinks five- to sixfold.
LEVEL = 1
#: Deepest nesting read, about where `json.loads` gives up: the parser keeps the path to each
#: value, so an answer nested a hundred thousand deep would cost it gigabytes.
MAX_DEPTH = 1000
_BOM = b"\xef\xbb\xbf"
#: Every byte but quotes and brackets (what nesting depends on, once escapes are gone).
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')

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

    chunks: tuple[bytes, ...] = field(repr=False)  # megabytes: never in a repr
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
    packer = _Packer()
    try:
        source = _Source(_pieces(chunks), provider, packer=packer)
        is_array = await _visit_rows(source, visit)
        packed = await anyio.to_thread.run_sync(packer.finish)
    finally:
        packer.close()
    return CompressedArray(packed, source.size, is_array)


async def reread_array(body: CompressedArray, visit: Visit, provider: str) -> None:
    """Visit each element again from the compressed bytes, a piece at a time."""
    await _visit_rows(_Source(_unpacked(body), provider), visit)


async def _pieces(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The body in pieces of about `PIECE` bytes: big chunks cut, small ones gathered (a
    network or an in-process app may hand over hundreds of small chunks, and each piece
    costs the readers a round of work)."""
    gathered = bytearray()
    async for chunk in chunks:
        if len(chunk) > PIECE:
            view = memoryview(chunk)
            for start in range(0, len(chunk), PIECE):
                gathered += view[start : start + PIECE]
                if len(gathered) >= PIECE:
                    yield bytes(gathered)
                    gathered.clear()
            continue
        gathered += chunk
        if len(gathered) >= PIECE:
            yield bytes(gathered)
            gathered.clear()
    if gathered:
        yield bytes(gathered)


async def _unpacked(body: CompressedArray) -> AsyncIterator[bytes]:
    unpacker = zlib.decompressobj()
    for packed in body.chunks:
        while packed:
            data = unpacker.decompress(packed, PIECE)
            packed = unpacker.unconsumed_tail
            if data:
                yield data
    tail = unpacker.flush()
    if tail:
        yield tail


async def _visit_rows(source: _Source, visit: Visit) -> bool:
    """Visit each element of the top-level array `source` holds; whether it was an array.

    ijson's generator over an async file (its C backend, yajl2_c) is used rather than its push
    coroutines: measured here, the same body parses about 2.5 times faster that way."""
    try:
        async for row in ijson.items(source, "item", buf_size=PIECE):
            visit(row)
            source.visited += 1
            if source.visited % VISIT_SLICE == 0:
                await anyio.lowlevel.checkpoint()
    except (ijson.JSONError, ValueError, UnicodeDecodeError):
        raise source.unreadable() from None
    return source.first == b"["


class _Packer:
    """zlib compression on a thread of its own, piece after piece in order, while the event
    loop parses: zlib lets go of the GIL, so keeping the bytes costs the parse almost nothing."""

    def __init__(self) -> None:
        self._zlib = zlib.compressobj(LEVEL)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compress")
        self._done: list[Future[bytes]] = []
        self._collected = 0  # futures known finished

    async def add(self, piece: bytes) -> None:
        """Queue a piece; past `MAX_QUEUED` waiting, wait for the oldest, so a slow thread
        cannot make the pieces pile up in memory."""
        self._done.append(self._thread.submit(self._zlib.compress, piece))
        waiting = len(self._done) - self._collected
        if waiting > MAX_QUEUED:
            await anyio.to_thread.run_sync(self._done[self._collected].result)
            self._collected += 1

    def finish(self) -> tuple[bytes, ...]:
        """Every piece compressed, and the stream's end (blocks: call it from a thread)."""
        packed = [future.result() for future in self._done]
        packed.append(self._thread.submit(self._zlib.flush).result())
        return tuple(chunk for chunk in packed if chunk)

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)


class _Source:
    """A body as ijson's async file: its pieces measured, checked for nesting and, when a
    `packer` is given, compressed on the way through."""

    def __init__(
        self, pieces: AsyncIterator[bytes], provider: str, *, packer: _Packer | None = None
    ) -> None:
        self._pieces = pieces
        self._provider = provider
        self._packer = packer
        self._nesting = _Nesting()
        self._left = b""
        self.first: bytes | None = None  # the first byte that is not blank
        self.size = 0
        self.visited = 0

    async def read(self, size: int) -> bytes:
        if not self._left:
            self._left = await self._next_piece()
        data, self._left = self._left[:size], self._left[size:]
        return data

    async def _next_piece(self) -> bytes:
        piece = await anext(self._pieces, b"")
        if not piece:
            return b""
        if self._packer is not None:
            await self._packer.add(piece)
        if not self.size and piece.startswith(_BOM):
            piece = piece[len(_BOM) :]  # as `json.loads` allows one
            self.size += len(_BOM)
        self.size += len(piece)
        if not self._nesting.allows(piece):
            raise self.unreadable()
        if self.first is None:
            self.first = piece.lstrip(b" \t\r\n")[:1] or None
        return piece

    def unreadable(self) -> ProviderDataError:
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
        # Only quotes and brackets matter; two adjacent quotes enclose nothing (an empty string,
        # or nothing between two strings), so dropping them keeps both the brackets and the
        # quote parity: what is left to split is a few bytes, not every string of the piece.
        piece = piece.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
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
