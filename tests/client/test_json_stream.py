"""The streamed JSON reader's nesting guard: brackets inside strings (escaped quotes too) do
not count, real nesting past the limit is refused, wherever the pieces are cut."""

from __future__ import annotations

import json

import pytest

from esim_orders.client.json_stream import MAX_DEPTH, _Nesting


def allowed(body: bytes, piece: int) -> bool:
    nesting = _Nesting()
    return all(nesting.allows(body[i : i + piece]) for i in range(0, len(body), piece))


TRICKY = json.dumps(
    [{"note": "[[[{{{" * 400, "quote": 'say "[" \\ and "{"', "ok": [[1], {"a": [2]}]}] * 3
).encode()


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64, 65536])
def test_brackets_inside_strings_do_not_count_however_the_body_is_cut(piece):
    assert allowed(TRICKY, piece)


@pytest.mark.parametrize("piece", [1, 5, 65536])
def test_nesting_past_the_limit_is_refused_however_the_body_is_cut(piece):
    deep = b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)
    at_limit = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert not allowed(deep, piece)
    assert allowed(at_limit, piece)
