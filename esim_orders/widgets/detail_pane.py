"""The explorer's detail pane: the selected order's card and, when it went wrong, why."""

from __future__ import annotations

import ipywidgets as widgets

from ..esim_models import EsimState
from ..failures.explanation import Explanation
from ..models import Order
from ..service.sync import SyncOrderService
from . import html as render
from .cards import FailureCard, OrderCard
from .progress import Activity

HINT = "Select an order to see its card and, when it failed or is stuck, why."


class DetailPane(widgets.VBox):
    """A progress line, the order card and the failure card, side by side with the table."""

    def __init__(self, service: SyncOrderService) -> None:
        self.card = OrderCard(service=service)
        self.failure = FailureCard(service=service)
        self.activity = Activity(collapse=True)
        self.card.view.value = render.notice_html(HINT)
        super().__init__(
            [self.activity, self.card, self.failure],
            layout=widgets.Layout(flex="2 1 380px", min_width="0"),
        )
        self.add_class("eo-detail")

    def loading(self, ref: str) -> None:
        self.activity.start("detail", f"Loading {ref}…")

    def show(
        self, order: Order, explanation: Explanation, esims: list[EsimState] | None = None
    ) -> None:
        """The card (with each eSIM's state and data-left bar); the explanation in full for a
        failed or stuck order or an eSIM in trouble, else one line."""
        self.activity.finish("detail")
        self.card.show(order, esims)
        if explanation.something_wrong:
            self.failure.show(explanation)
        else:
            self.failure.clear(f"{explanation.title}: {explanation.diagnosis}")

    def show_error(self, exc: BaseException) -> None:
        self.activity.finish("detail")
        self.card.show_error(exc)
        self.failure.clear()
