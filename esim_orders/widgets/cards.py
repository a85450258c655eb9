"""`OrderCard` and `FailureCard`: one order, and why it failed, as widgets usable alone."""

from __future__ import annotations

from typing import Any, Self

import ipywidgets as widgets

from ..esim_models import EsimState
from ..failures.explanation import Explanation
from ..models import Order
from ..service.sync import SyncOrderService
from . import html as render
from .errors import error_text
from .fetch import fetch_explanation, fetch_order
from .jobs import Runner
from .progress import Activity
from .session import default_service


class HtmlPane(widgets.VBox):
    """A progress line over an HTML view; the HTML doubles as the static `text/html` output
    so a saved notebook shows the view where no kernel runs (GitHub, nbviewer)."""

    def __init__(self, service: SyncOrderService | None, hint: str) -> None:
        self._service = service
        self._runner = Runner()
        self.activity = Activity(collapse=True)
        self.view = widgets.HTML(render.notice_html(hint))
        self.error: str | None = None
        super().__init__([self.activity, self.view], layout=widgets.Layout(width="100%"))

    @property
    def service(self) -> SyncOrderService:
        if self._service is None:
            self._service = default_service()
        return self._service

    def show_error(self, exc: BaseException | str) -> None:
        self.error = exc if isinstance(exc, str) else error_text(exc)
        self.activity.finish("load")
        self.view.value = render.error_html(self.error)

    def wait(self, timeout: float = 60.0) -> Self:
        """Block until loading finished; returns the card, so `OrderCard(ref).wait()` shows it."""
        self._runner.wait(timeout)
        return self

    def static_html(self) -> str:
        return self.view.value

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = self.static_html()
        return bundle


class OrderCard(HtmlPane):
    """One order's card, from an `Order` or loaded by ref with `get_order`."""

    def __init__(
        self, order: Order | str | None = None, *, service: SyncOrderService | None = None
    ) -> None:
        super().__init__(service, "Select an order to see its card.")
        self.add_class("eo-order-card")
        self.order: Order | None = None
        if isinstance(order, Order):
            self.show(order)
        elif order:
            self.load(order)

    def load(self, ref: str) -> None:
        self.activity.start("load", f"Loading order {ref}…")
        self._runner.submit(
            "load", lambda _: fetch_order(self.service, ref), self.show, self.show_error
        )

    def show(self, order: Order, esims: list[EsimState] | None = None) -> None:
        """The order's card; with `esims`, each eSIM's state and data-left bar under it."""
        self.order, self.error = order, None
        self.activity.finish("load")
        self.view.value = render.order_card_html(order, esims)


class FailureCard(HtmlPane):
    """Why an order failed or is stuck, from an `Explanation` or loaded with `explain_failure`."""

    def __init__(
        self,
        explanation: Explanation | str | None = None,
        *,
        service: SyncOrderService | None = None,
    ) -> None:
        super().__init__(service, "")
        self.add_class("eo-failure-card")
        self.explanation: Explanation | None = None
        if isinstance(explanation, Explanation):
            self.show(explanation)
        elif explanation:
            self.load(explanation)
        else:
            self.clear()

    def load(self, ref: str) -> None:
        self.activity.start("load", f"Explaining {ref}…")
        self._runner.submit(
            "load", lambda _: fetch_explanation(self.service, ref), self.show, self.show_error
        )

    def show(self, explanation: Explanation) -> None:
        self.explanation, self.error = explanation, None
        self.activity.finish("load")
        self.view.value = render.explanation_html(explanation)

    def clear(self, note: str = "") -> None:
        self.explanation, self.error = None, None
        self.view.value = render.notice_html(note) if note else ""
