"""Matching orders as CSV, a download link for it, and a pandas DataFrame: pure functions."""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..tools.views import OrderSummary

if TYPE_CHECKING:
    import pandas

#: The `list_orders` summary fields, in the tool's order: what a model sees, nothing more
#: (no raw payload, no activation secret, no personal data).
CSV_COLUMNS: tuple[str, ...] = tuple(OrderSummary.model_fields)


def summary_record(summary: OrderSummary) -> dict[str, Any]:
    data = summary.model_dump(mode="json")
    return {column: data.get(column) for column in CSV_COLUMNS}


def csv_text(summaries: Iterable[OrderSummary]) -> str:
    """A header and one row per order; empty cells for absent values."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for summary in summaries:
        record = summary_record(summary)
        writer.writerow({k: _cell(v) for k, v in record.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: provider text must not run in someone's Excel."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_filename(now: datetime) -> str:
    return f"esim-orders-{now.strftime('%Y%m%d-%H%M%S')}.csv"


def download_link(csv_data: str, filename: str, count: int) -> str:
    """An HTML link that saves the CSV from the page itself (a data URI): it works the same in
    JupyterLab, Notebook, VS Code and Voila, where the kernel's files are not served."""
    payload = base64.b64encode(csv_data.encode("utf-8")).decode("ascii")
    name = html.escape(filename, quote=True)
    return (
        f'<a class="eo-download" download="{name}" href="data:text/csv;charset=utf-8;base64,'
        f'{payload}">Download {name}</a> <span class="eo-muted">({count} orders)</span>'
    )


def to_dataframe(summaries: Sequence[OrderSummary]) -> pandas.DataFrame:
    """The summaries as a DataFrame, one row per order, `created_at` as UTC timestamps."""
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(
            "to_dataframe needs pandas, which esim-orders installs only on request: "
            "pip install 'esim-orders[pandas]'"
        ) from exc
    frame = pandas.DataFrame([summary_record(s) for s in summaries], columns=list(CSV_COLUMNS))
    frame["created_at"] = pandas.to_datetime(frame["created_at"], utc=True, format="ISO8601")
    return frame
