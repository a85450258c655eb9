"""One readable sentence for whatever stopped a view: the tools' own wording where it exists."""

from __future__ import annotations

import logging

from pydantic import ValidationError

from ..errors import EsimOrdersError
from ..tools.errors import argument_problems, describe
from ..tools.terms import Terms

log = logging.getLogger(__name__)

#: The tools' arguments as the explorer's controls are labelled.
WIDGETS = Terms(
    {
        "text": "Search text",
        "created_after": "Created from",
        "created_before": "Created to",
        "ref": "Order ref",
        "cursor": "Page",
        "list_orders": "the orders table",
        "get_order": "the orders table",
        "explain_failure": "the order's card",
        "get_esim": "the order's card",
    },
    next_page="more on the next page",
)


def error_text(exc: BaseException) -> str:
    """What to show in the view: `describe()` for our errors, the invalid field for bad input,
    both in the explorer's words, and for anything else (a bug) its type and message, logged
    with its traceback."""
    if isinstance(exc, EsimOrdersError):
        return describe(exc, WIDGETS)
    if isinstance(exc, ValidationError):
        return "; ".join(argument_problems(exc, WIDGETS)) + "."
    log.error("unexpected error in an orders view", exc_info=exc)
    return f"Unexpected error ({type(exc).__name__}): {exc}"
