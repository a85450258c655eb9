"""The explorer's detail pane: the selected order's card and, when it went wrong, why.

It takes no room until an order is picked, so the table has the page's whole width; then it
sits beside the table on a wide page and below it on a narrow one (flex wrap, see
`OrdersExplorer`), and its Close button gives the width back.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..esim_models import EsimState
from ..failures.explanation import Explanation
from ..models import Order
from ..service.sync import SyncOrderService
from . import html as render
from .cards import FailureCard, OrderCard
from .progress import Activity

HINT = "Select an order to see its card and, when it failed or is stuck, why."
#: Beside the table it grows from this width; below this much room it wraps under it.
DETAIL_BASIS = "460px"


class DetailPane(widgets.VBox):
    """A progress line, the order card and the failure card, hidden until `loading(ref)`;
    `on_close()` is called when the reader closes it."""

    def __init__(self, service: SyncOrderService, on_close: Callable[[], None]) -> None:
        self.card = OrderCard(service=service)
        self.failure = FailureCard(service=service)
        self.activity = Activity(collapse=True)
        self.card.view.value = render.notice_html(HINT)
        self.close_button = widgets.Button(
            description="Close", icon="times", tooltip="Close the order", layout={"width": "90px"}
        )
        self.close_button.add_class("eo-close")
        self.close_button.on_click(lambda _: on_close())
        bar = widgets.HBox(
            [self.activity, self.close_button],
            layout=widgets.Layout(justify_content="space-between", align_items="center"),
        )
        super().__init__(
            [bar, self.card, self.failure],
            layout=widgets.Layout(
                flex=f"2 1 {DETAIL_BASIS}", min_width="0", display="none", margin="0 0 0 0"
            ),
        )
        self.add_class("eo-detail")

    @property
    def is_open(self) -> bool:
        return self.layout.display != "none"

    def loading(self, ref: str) -> None:
        self.layout.display = "flex"
        self.activity.start("detail", f"Loading {ref}…")

    def close(self) -> None:
        self.activity.finish("detail")
        self.layout.display = "none"

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
