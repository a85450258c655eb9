"""Cleaning of untrusted provider text before it reaches a log, a model or a person."""

from __future__ import annotations

import re
import unicodedata

from .redact import held_secrets

# Bidirectional overrides/isolates and zero-width characters can hide or reorder text; the
# rest of the format (Cf) and control (Cc) categories have no business in a message either.
_COLLAPSE_SPACE = re.compile(r"\s+")


def clean_provider_text(text: str, cap: int = 500) -> str:
    """Strip control, format (bidi, zero-width) characters, fold whitespace, cap the length,
    and remove every secret the process holds (before any cut could split one)."""
    text = held_secrets.scrub(text)
    if len(text) > cap * 4:
        # Bound the work on hostile 100 KB strings before walking them.
        text = text[: cap * 4]
    if text.isprintable():
        # No control, format, private or surrogate character can be in it (all four are
        # non-printable), so the walk below would keep every character: skip it.
        kept = text
    else:
        kept = "".join(
            " " if ch in "\t\n\r" else ch
            for ch in text
            if ch in "\t\n\r" or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs")
        )
    if "  " in kept or kept[:1].isspace() or kept[-1:].isspace() or not kept.isprintable():
        kept = _COLLAPSE_SPACE.sub(" ", kept).strip()
    if len(kept) > cap:
        return kept[: cap - 1].rstrip() + "…"
    return kept
