"""Shows orders and tool views as HTML and Markdown in Jupyter, through IPython's formatters.

The models and views know nothing of Jupyter: importing `esim_orders.widgets` in a running
IPython registers these renderings for their types (by name, so nothing loads until an
object is shown), and a saved notebook keeps the HTML where no kernel runs.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["DISPLAYED", "register"]

#: (module, class) of every object shown as its own view; subclasses are shown the same way.
DISPLAYED: tuple[tuple[str, str], ...] = (
    ("esim_orders.models", "Order"),
    ("esim_orders.tools.views", "OrderPage"),
    ("esim_orders.tools.views", "OrderSummary"),
    ("esim_orders.tools.views", "ProviderIssue"),
    ("esim_orders.failures.explanation", "Explanation"),
    ("esim_orders.esim_models", "EsimAnswer"),
)


def register(shell: Any = None) -> bool:
    """Register the HTML and Markdown renderings with `shell` (default: the running IPython).

    Returns False, doing nothing, outside IPython; IPython itself is never imported here.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
        if shell is None:
            return False
    formatters = shell.display_formatter.formatters
    for module, name in DISPLAYED:
        formatters["text/html"].for_type_by_name(module, name, _html)
        formatters["text/markdown"].for_type_by_name(module, name, _markdown)
    return True


def _html(item: Any) -> str | None:
    from .html import view_html

    return view_html(item)


def _markdown(item: Any) -> str | None:
    from .markdown import view_markdown

    return view_markdown(item)
