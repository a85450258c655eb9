"""The streamed array reader: the same rows as `json.loads` however the body is cut, and a
clear refusal (not a hang, not unbounded memory) for bodies that are no JSON array."""

from __future__ import annotations

import codecs
import json
from typing import Any

import pytest

from esim_orders.client.json_stream import MAX_ROW_CHARS, RowsOfArray

TRICKY = json.dumps(
    [
        {"note": "[[[{{{" * 400, "quote": 'say "[" \\ and "{"', "ok": [[1], {"a": [2]}]},
        12345678901234567890123,
        -0.5e-3,
        "naïve ✓ 𝄞",
        [],
        {},
        None,
        True,
    ]
    * 3,
    ensure_ascii=False,
).encode()


def rows_of(body: bytes, piece: int) -> list[Any]:
    """What the reader visits, the body fed `piece` bytes at a time (cuts inside numbers,
    strings, escapes and multi-byte characters included)."""
    rows: list[Any] = []
    reader = RowsOfArray(rows.append)
    text = codecs.getincrementaldecoder("utf-8-sig")()
    for start in range(0, len(body), piece):
        reader.feed(text.decode(body[start : start + piece]))
    reader.feed(text.decode(b"", final=True), final=True)
    return rows


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64, 65536])
def test_rows_are_json_loads_rows_however_the_body_is_cut(piece):
    assert rows_of(TRICKY, piece) == json.loads(TRICKY)


@pytest.mark.parametrize("body", [b"[]", b" \n[ ]\r\n", b"\xef\xbb\xbf[1]", b"[1 , 2 ]"])
def test_blank_bom_and_empty_arrays_read_as_json_loads_reads_them(body):
    assert rows_of(body, 1) == json.loads(body.decode("utf-8-sig"))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[",
        b'[{"id": 1}',
        b'[{"id": 1},',
        b'[{"id": 1},]',
        b'[{"id": 1} {"id": 2}]',
        b"[1] 2",
        b'[{"id": "cut',
        b"[12",
        b"<html>502</html>",
        b'{"message": ',
        b"[\xff]",
    ],
)
@pytest.mark.parametrize("piece", [1, 4096])
def test_a_body_that_is_no_json_array_or_stops_short_is_refused(body, piece):
    with pytest.raises(ValueError):
        rows_of(body, piece)


def test_json_that_is_no_array_visits_nothing_and_says_so():
    rows: list[Any] = []
    reader = RowsOfArray(rows.append)
    reader.feed('{"message": "Forbidden"}', final=True)
    assert not reader.is_array and rows == []


def test_a_row_nested_past_the_interpreters_limit_is_refused():
    with pytest.raises(RecursionError):
        rows_of(b"[" + b"[" * 100_000 + b"]" * 100_000 + b"]", 65536)


def test_a_row_that_never_ends_is_refused_once_it_passes_the_bound():
    """A string opened and never closed: refused after `MAX_ROW_CHARS`, not held to the end
    of a gigabyte body; and the cut row is not parsed again for every piece (the reader waits
    for it to double), so the work stays linear."""
    reader = RowsOfArray(lambda row: None)
    reader.feed('[{"note": "')
    fed = 0
    with pytest.raises(ValueError, match="longer"):
        while fed <= 2 * MAX_ROW_CHARS:
            fed += 65536
            reader.feed("x" * 65536)
    assert MAX_ROW_CHARS <= fed <= MAX_ROW_CHARS + 65536
