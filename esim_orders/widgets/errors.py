"""One readable sentence for whatever stopped a view: the tools' own wording where it exists."""

from __future__ import annotations

import logging

from pydantic import ValidationError

from ..errors import EsimOrdersError
from ..tools.errors import describe

log = logging.getLogger(__name__)

_FIELDS = {
    "text": "Search text",
    "created_after": "Created from",
    "created_before": "Created to",
    "ref": "Order ref",
    "cursor": "Page",
}


def error_text(exc: BaseException) -> str:
    """What to show in the view: `describe()` for our errors, the invalid field for bad input,
    and for anything else (a bug) its type and message, logged with its traceback."""
    if isinstance(exc, EsimOrdersError):
        return describe(exc)
    if isinstance(exc, ValidationError):
        problems = []
        for error in exc.errors():
            field = next((str(p) for p in error.get("loc", ()) if isinstance(p, str)), "input")
            problems.append(f"{_FIELDS.get(field, field)}: {error.get('msg', 'is not valid')}")
        return "; ".join(problems) + "."
    log.error("unexpected error in an orders view", exc_info=exc)
    return f"Unexpected error ({type(exc).__name__}): {exc}"
