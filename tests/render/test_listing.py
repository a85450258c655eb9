"""One builder for a listing line, three renderers: no field is missing from any face."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from esim_orders.render import html as html_face
from esim_orders.render import markdown as md_face
from esim_orders.render import text as text_face
from esim_orders.render.listing import COLUMNS, Listed, listing_line
from esim_orders.tools.render import order_line
from esim_orders.tools.views import OrderSummary

CREATED = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def _summary(**changes: object) -> OrderSummary:
    fields = {
        "ref": "pressone:9666",
        "status": "PENDING",
        "provider_status": "PENDING_PAYMENT",
        "type": "ONE_OFF",
        "created_at": CREATED,
        "code": "20230227-009666",
        "plan": "Japan 5 GB",
        "price": "4.90 USD",
        "esims": 1,
        "failure_reason": "OUT_OF_STOCK",
    }
    return OrderSummary.model_validate({**fields, **changes})


def test_every_field_of_a_listing_line_is_in_all_three_faces() -> None:
    line = listing_line(_summary())
    assert [cell.column for cell in line.cells] == list(COLUMNS)
    text = text_face.line_text(line)
    cells = html_face.line_cells(line)
    row = md_face.line_markdown(line)
    assert len(cells) == len(COLUMNS) == row.count(" | ") + 1
    for cell, cell_html in zip(line.cells, cells, strict=True):
        assert cell.value, cell  # every field of this summary is set
        assert cell.value in text, cell
        shown = cell.value.removesuffix(" UTC")  # HTML's header says UTC instead
        assert html.escape(shown) in cell_html, cell
        assert md_face.md(cell.value, 120) in row, cell


def test_the_line_is_built_from_every_summary_field_a_listing_shows() -> None:
    """A field added to OrderSummary must be added to the line (or named here as left out)."""
    not_listed = {"esims"}  # a count, for the JSON answer; no face lists it
    built_from = {name for name in vars(Listed) if not name.startswith("_")}
    assert built_from == set(OrderSummary.model_fields) - not_listed


def test_each_face_keeps_its_own_presentation_of_the_same_fields() -> None:
    line = listing_line(_summary())
    assert order_line(_summary()) == (
        "pressone:9666 | 2026-06-01 10:00 UTC | PENDING (PENDING_PAYMENT) | ONE_OFF"
        ' | code 20230227-009666 | Japan 5 GB | 4.90 USD | reason "OUT_OF_STOCK"'
    )
    cells = html_face.line_cells(line)
    assert cells[1] == "2026-06-01 10:00"
    assert (
        'class="eo-badge eo-s-pending">PENDING</span>' in cells[2] and "PENDING_PAYMENT" in cells[2]
    )
    assert md_face.line_markdown(line).startswith("| pressone:9666 | 2026\\-06\\-01 10:00 UTC |")


def test_fields_an_order_has_not_are_left_out_of_the_text_and_empty_elsewhere() -> None:
    bare = _summary(created_at=None, code=None, plan=None, price=None, failure_reason=None)
    line = listing_line(bare)
    assert (
        text_face.line_text(line)
        == "pressone:9666 | time unknown | PENDING (PENDING_PAYMENT) | ONE_OFF"
    )
    cells = html_face.line_cells(line)
    assert cells[1] == "" and cells[4:] == ["", "", "", ""]
    assert md_face.line_markdown(line).endswith("| ONE\\_OFF |  |  |  |  |")
