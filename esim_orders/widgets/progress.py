"""A progress line: a bar and what is loading, shown only while something loads."""

from __future__ import annotations

import html

import ipywidgets as widgets


class Activity(widgets.HBox):
    """Tracks named tasks; the bar shows the latest one with a known size, else a pulse."""

    def __init__(self, *, collapse: bool = False) -> None:
        # A page-level line keeps its place when idle so the view does not jump; a card's
        # line takes no room at all.
        self._idle = "none" if collapse else "hidden"
        self.bar = widgets.IntProgress(
            value=0, min=0, max=100, bar_style="info", layout=widgets.Layout(width="160px")
        )
        self.label = widgets.HTML(layout=widgets.Layout(margin="0 0 0 8px"))
        self._tasks: dict[str, str] = {}
        super().__init__(
            [self.bar, self.label],
            layout=widgets.Layout(align_items="center", min_height="30px"),
        )
        self.add_class("eo-activity")
        self._show()

    @property
    def active(self) -> bool:
        return bool(self._tasks)

    def start(self, key: str, text: str) -> None:
        self._tasks[key] = text
        self.bar.bar_style = "info"
        self.bar.max, self.bar.value = 100, 15
        self._show()

    def step(self, key: str, done: int, total: int | None, text: str) -> None:
        self._tasks[key] = text
        if total:
            self.bar.max, self.bar.value = max(total, 1), min(done, total)
        self._show()

    def finish(self, key: str) -> None:
        self._tasks.pop(key, None)
        self._show()

    def _show(self) -> None:
        texts = list(self._tasks.values())
        self.label.value = (
            '<span class="eo-muted">' + html.escape(" · ".join(texts)) + "</span>" if texts else ""
        )
        if self._idle == "none":
            self.layout.display = "flex" if texts else "none"
        else:
            self.layout.visibility = "visible" if texts else "hidden"
