"""Explains a provider's raw error code, HTTP status or failure reason, without an order."""

from __future__ import annotations

from datetime import datetime

from ..models import Provider
from .advice import CODE_CAP, PROVIDER_TEXT_CAP, VALUE_CAP, explain_advice, placeholder_defaults
from .advice import utc as _utc
from .catalogue import Advice, Catalogue, GenericName, load_catalogue
from .explanation import Confidence, Evidence, Explanation
from .note import code_note, quoted, safe_text

__all__ = ["CODE_KINDS", "explain_code", "normal_code"]

CODE_KINDS = frozenset({"error_code", "failure_reason", "http_status"})


def explain_code(
    provider: Provider | str,
    code: str,
    now: datetime,
    *,
    catalogue: Catalogue | None = None,
) -> Explanation:
    """What a provider's error code, HTTP status or failure reason means: pure, no I/O
    beyond reading the shipped catalogue once."""
    catalogue = catalogue or load_catalogue()
    provider = Provider(provider)
    now = _utc(now)
    shown = safe_text(code, CODE_CAP)
    normal = normal_code(shown)
    http_class = normal[0] if len(normal) == 3 and normal.isdigit() else None
    entry = catalogue.find(provider, normal, CODE_KINDS)
    if entry is None and http_class == "5":
        entry = catalogue.find(provider, "5xx", CODE_KINDS)
    advice: Advice
    confidence: Confidence
    if entry is not None:
        advice, used, confidence, provider_text = entry, entry.key, "known_code", None
    else:
        generic: GenericName = "http_4xx" if http_class == "4" else "unknown_code"
        advice, used = catalogue.generic[generic], f"generic:{generic}"
        confidence, provider_text = "unknown", quoted(code, PROVIDER_TEXT_CAP)
    return explain_advice(
        advice,
        placeholder_defaults(),
        note=lambda question: code_note(
            provider, code=quoted(code, CODE_CAP), headline=advice.title, question=question, now=now
        ),
        references=catalogue.references_for(provider, advice.references),
        provider=provider,
        code=shown,
        confidence=confidence,
        entry=used,
        provider_text=provider_text,
        evidence=[Evidence(field="code", value=quoted(code, VALUE_CAP))],
        checked_at=now,
    )


def normal_code(code: str) -> str:
    """`HTTP 429`, `http_429` and `429` are one code; other codes compare case-insensitively."""
    text = code.strip().upper()
    for prefix in ("HTTP", "STATUS"):
        if text.startswith(prefix) and text[len(prefix) :].strip(" _-/:").isdigit():
            return text[len(prefix) :].strip(" _-/:")
    return text
