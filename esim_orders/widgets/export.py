"""Matching orders as CSV, a download link for it, and a pandas DataFrame: pure functions."""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..models import Money
from ..tools.views import OrderSummary

if TYPE_CHECKING:
    import pandas

#: The `list_orders` summary fields, in the tool's order: what a model sees, nothing more
#: (no raw payload, no activation secret, no personal data); the price as two columns, the
#: amount a number alone (a spreadsheet sums it) and its currency beside it.
CSV_COLUMNS: tuple[str, ...] = tuple(
    column
    for field in OrderSummary.model_fields
    for column in (("amount", "currency") if field == "price" else (field,))
)
#: A CSV up to this size is also offered from the page itself (a data: URI), which works
#: where the kernel's files are not served (Voila, VS Code); a larger one only as its file.
INLINE_MAX_BYTES = 1_000_000


def summary_record(summary: OrderSummary) -> dict[str, Any]:
    data = summary.model_dump(mode="json")
    price = Money.from_formatted(summary.price) if summary.price else None
    if price is not None:
        data["amount"], data["currency"] = f"{price.amount:.{price.exponent}f}", price.currency
    return {column: data.get(column) for column in CSV_COLUMNS}


def csv_text(summaries: Iterable[OrderSummary]) -> str:
    """A header and one row per order; empty cells for absent values."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for summary in summaries:
        writer.writerow(csv_row(summary))
    return out.getvalue()


def csv_row(summary: OrderSummary) -> dict[str, Any]:
    """The order's CSV cells: its summary record, absent values empty, formulas defused."""
    return {k: _cell(v) for k, v in summary_record(summary).items()}


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: provider text must not run in someone's Excel."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_filename(now: datetime) -> str:
    return f"esim-orders-{now.strftime('%Y%m%d-%H%M%S')}.csv"


def file_link(path: Path, count: int, *, base: Path | None = None) -> str:
    """An HTML link to a CSV file written beside the notebook: Jupyter serves the kernel's
    working directory, so a path relative to it opens from the page (as IPython's
    `FileLink` does). The path on disk is shown too, for where files are not served."""
    base = base if base is not None else Path.cwd()
    try:
        href = path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        href = path.resolve().as_uri()
    name = html.escape(path.name, quote=True)
    return (
        f'<a class="eo-download" download="{name}" target="_blank" '
        f'href="{html.escape(quote(href, safe="/:"), quote=True)}">Download {name}</a> '
        f'<span class="eo-muted">({count} orders, {_size(path.stat().st_size)}, saved as '
        f"{html.escape(str(path))})</span>"
    )


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


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
    frame["amount"] = pandas.to_numeric(frame["amount"])
    return frame
