"""Jupyter views of orders: interactive widgets over pure HTML renderings of the tool views.

Importing this package loads nothing heavy: the widgets (which need ipywidgets, the
`notebook` extra) load on first use, and the pure renderers (`html`, `markdown`, `charts`,
`export`) never need ipywidgets. In a running IPython, importing it registers the HTML and
Markdown of orders and tool views with the display formatters (`display.register`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import display

if TYPE_CHECKING:
    from .cards import FailureCard, OrderCard
    from .explorer import OrdersExplorer
    from .session import default_service

__all__ = ["FailureCard", "OrderCard", "OrdersExplorer", "default_service"]

_HOMES = {
    "OrdersExplorer": ".explorer",
    "OrderCard": ".cards",
    "FailureCard": ".cards",
    "default_service": ".session",
}
NEEDS = "pip install 'esim-orders[notebook]'"

display.register()


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(home, __name__)
    except ImportError as exc:
        if exc.name == "ipywidgets":
            raise ImportError(f"esim_orders.widgets.{name} needs ipywidgets: {NEEDS}") from exc
        raise
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
