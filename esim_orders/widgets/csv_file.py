"""A CSV of every matching order written to a file as the orders are read, never held.

An account of 200,000 orders makes a CSV of tens of megabytes: built as one string (and
again as a data: URI) it costs the kernel several times that. Here each row goes to the
file as its order is visited, through a buffered file that writes in chunks; the file is
named `<name>.part` until every row is in, so a half-written export is never offered.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType

from ..tools.views import OrderSummary
from .export import CSV_COLUMNS, csv_row

__all__ = ["CHUNK_BYTES", "CsvFile"]

#: Bytes buffered between two writes to the disk.
CHUNK_BYTES = 1 << 20


class CsvFile:
    """`with CsvFile(path) as out: out.add(summary)`: the header, then one row per `add`;
    the file appears at `path` when the block ends without an error, and not at all else."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self._part = path.with_name(path.name + ".part")
        self._file = self._part.open("w", newline="", encoding="utf-8", buffering=CHUNK_BYTES)
        self._writer = csv.DictWriter(self._file, fieldnames=CSV_COLUMNS, lineterminator="\n")
        self._writer.writeheader()

    def add(self, summary: OrderSummary) -> None:
        self._writer.writerow(csv_row(summary))
        self.rows += 1

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._file.close()
        if exc_type is None:
            self._part.replace(self.path)
        else:
            self._part.unlink(missing_ok=True)
