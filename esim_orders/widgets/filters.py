"""The explorer's filter bar: provider, status, type, created range and free text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import ipywidgets as widgets

from ..models import OrderStatus, OrderType, Provider
from .query import OrderQuery

# In the enum's order, as `as_statuses` normalises them, so a passed list finds its choice.
_NOT_FINISHED = tuple(
    s
    for s in OrderStatus
    if s in {OrderStatus.FAILED, OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN}
)
STATUS_CHOICES: list[tuple[str, tuple[OrderStatus, ...]]] = [
    ("Any status", ()),
    ("Failed", (OrderStatus.FAILED,)),
    ("Failed or not finished", _NOT_FINISHED),
    *((s.value.capitalize(), (s,)) for s in OrderStatus if s is not OrderStatus.FAILED),
]
Statuses = OrderStatus | str | list[OrderStatus | str] | tuple[OrderStatus, ...] | None


class Unset:
    """Marks a `FilterBar.set` argument that was not given (None means "any")."""


UNSET = Unset()


class FilterBar(widgets.HBox):
    """Standard controls whose values make an `OrderQuery`; `on_change` runs once per change
    a person makes, and once per `set()` however many filters it sets."""

    def __init__(
        self,
        providers: Sequence[Provider],
        on_change: Callable[[], None],
        *,
        provider: Provider | str | None = None,
        status: Statuses = None,
        type: OrderType | str | None = None,
        created_from: date | None = None,
        created_to: date | None = None,
        text: str | None = None,
    ) -> None:
        self._on_change = on_change
        self._quiet = False
        wide = {"description_width": "initial"}
        # ipywidgets reads a None value as "nothing selected", so "any" is the empty string.
        self.provider = widgets.Dropdown(
            options=[("All providers", "")] + [(p.display_name, p) for p in providers],
            value=Provider(provider) if provider else "",
            description="Provider",
            style=wide,
            layout={"width": "190px"},
        )
        self.status = widgets.Dropdown(
            options=status_choices(STATUS_CHOICES, as_statuses(status)),
            value=as_statuses(status),
            description="Status",
            style=wide,
            layout={"width": "250px"},
        )
        self.type = widgets.Dropdown(
            options=[("Any type", "")]
            + [(t.value.replace("_", " ").capitalize(), t) for t in OrderType],
            value=OrderType(type) if type else "",
            description="Type",
            style=wide,
            layout={"width": "160px"},
        )
        self.created_from = widgets.DatePicker(
            value=created_from, description="Created from", style=wide, layout={"width": "230px"}
        )
        self.created_to = widgets.DatePicker(
            value=created_to, description="to", style=wide, layout={"width": "170px"}
        )
        self.text = widgets.Text(
            value=text or "",
            placeholder="Search plans, places, descriptions",
            continuous_update=False,
            layout={"width": "190px"},
        )
        self.refresh_button = widgets.Button(
            description="Refresh",
            icon="refresh",
            tooltip="Read the orders again",
            layout={"width": "100px"},
        )
        controls = {
            "provider": self.provider,
            "status": self.status,
            "type": self.type,
            "from": self.created_from,
            "to": self.created_to,
            "text": self.text,
        }
        for name, control in controls.items():
            control.add_class(f"eo-filter-{name}")
            control.observe(self._changed, names="value")
        self.refresh_button.add_class("eo-refresh")
        self.refresh_button.on_click(lambda _: on_change())
        super().__init__(
            [*controls.values(), self.refresh_button],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        self.add_class("eo-filters")

    def _changed(self, _: object) -> None:
        if not self._quiet:
            self._on_change()

    @property
    def query(self) -> OrderQuery:
        """The filters as they stand."""
        text = self.text.value.strip()
        return OrderQuery(
            provider=self.provider.value or None,
            statuses=tuple(self.status.value),
            type=self.type.value or None,
            created_from=self.created_from.value,
            created_to=self.created_to.value,
            text=text or None,
        )

    def set(
        self,
        *,
        provider: Provider | str | Unset | None = UNSET,
        status: Statuses | Unset = UNSET,
        type: OrderType | str | Unset | None = UNSET,
        created_from: date | Unset | None = UNSET,
        created_to: date | Unset | None = UNSET,
        text: str | Unset | None = UNSET,
    ) -> None:
        """Set several filters, then call `on_change` once."""
        self._quiet = True
        try:
            if not isinstance(provider, Unset):
                self.provider.value = Provider(provider) if provider else ""
            if not isinstance(status, Unset):
                statuses = as_statuses(status)
                choices = status_choices(self.status.options, statuses)
                if len(choices) != len(self.status.options):
                    self.status.options = choices
                self.status.value = statuses
            if not isinstance(type, Unset):
                self.type.value = OrderType(type) if type else ""
            if not isinstance(created_from, Unset):
                self.created_from.value = created_from
            if not isinstance(created_to, Unset):
                self.created_to.value = created_to
            if not isinstance(text, Unset):
                self.text.value = text or ""
        finally:
            self._quiet = False
        self._on_change()


def status_choices(
    choices: Sequence[tuple[str, tuple[OrderStatus, ...]]], statuses: tuple[OrderStatus, ...]
) -> list[tuple[str, tuple[OrderStatus, ...]]]:
    """The status menu, with an entry for `statuses` added when no entry has exactly them."""
    if statuses in [value for _, value in choices]:
        return list(choices)
    return [*choices, (", ".join(s.value.capitalize() for s in statuses), statuses)]


def as_statuses(status: Statuses) -> tuple[OrderStatus, ...]:
    """Any way of naming statuses, as a tuple in the enum's order."""
    if status is None:
        return ()
    if isinstance(status, str):
        return (OrderStatus(status.upper()),)
    ordered = {OrderStatus(str(s).upper()) for s in status}
    return tuple(s for s in OrderStatus if s in ordered)
