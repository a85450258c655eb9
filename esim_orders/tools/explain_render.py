"""The text face of an explain_failure answer (rendered from its rows in `esim_orders.render`)."""

from __future__ import annotations

from ..render.text import explanation_text

__all__ = ["explanation_text"]
