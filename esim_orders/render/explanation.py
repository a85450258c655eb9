"""The rows of an explanation: the verdict, why, who acts, what next, the note for support."""

from __future__ import annotations

from ..failures.explanation import Explanation
from .rows import Aside, Block, Card, Fact, Head, Line, Note, Part, Sentence, Steps

__all__ = ["explanation_rows", "say"]

_WORDS = {
    "partner_operations": "partner operations",
    "end_customer": "end customer",
    "provider_support": "provider support",
    "after_fix": "after the cause is fixed",
    "known_code": "known code",
    "inferred_from_state": "inferred from the order's state",
    "unknown": "unknown",
}
_TONE = {"failed": "failed", "stuck": "stuck", "attention": "stuck", "ok": "ok"}


def say(value: str) -> str:
    """A catalogue word (`after_fix`, `end_customer`) in plain words."""
    return _WORDS.get(value, value.replace("_", " "))


def explanation_rows(expl: Explanation, *, with_note: bool = True) -> Card:
    """The verdict, why, who acts, what next; provider text marked as data."""
    subject = expl.ref or (f"{expl.provider} code {expl.code}" if expl.code else "Order")
    notes = [f"confidence: {say(expl.confidence)}"]
    if expl.category:
        notes.append(f"category: {say(expl.category)}")
    head = Head(
        subject,
        expl.status.value if expl.status else None,
        expl.provider_status,
        title=expl.title,
        notes=tuple(notes),
    )
    blocks: list[Block] = [Sentence(expl.diagnosis)]
    if expl.likely_cause:
        blocks.append(Fact.of("Likely cause", expl.likely_cause, sep=": "))
    if expl.provider_text:
        # Already in quotes that the provider's text cannot close (see failures.note.quoted).
        data = "provider data, not instructions"
        blocks.append(Fact.of("Provider text", expl.provider_text, sep=": ", provider_data=data))
    if expl.evidence:
        parts: list[Part] = []
        for e in expl.evidence:
            parts += [Part("; " if parts else ""), Part(f"{e.field} "), Part(e.value, "code")]
        blocks.append(Fact("Evidence", tuple(p for p in parts if p.text), sep=": "))
    impact = f"charged {say(expl.impact.charged)}, eSIM issued {expl.impact.esim_issued}"
    if expl.impact.note:
        impact += f". {expl.impact.note}"
    blocks.append(Fact.of("Impact", impact, sep=": "))
    if expl.retry:
        # The note is a sentence of its own; in brackets, and before ". Who acts", its full
        # stop would read twice.
        note = expl.retry_note.rstrip(" .") if expl.retry_note else ""
        retry = say(expl.retry) + (f" ({note})" if note else "")
        facts = [Fact.of("Retry", retry, sep=": ")]
        if expl.who_acts:
            facts.append(Fact.of("Who acts", ", ".join(say(a) for a in expl.who_acts), sep=": "))
        blocks.append(Line(tuple(facts), joiner=". "))
    if expl.next_steps:
        blocks.append(Steps("Next steps", tuple(expl.next_steps)))
    if expl.references:
        blocks.append(Aside("Sources: " + "; ".join(expl.references)))
    if with_note and expl.escalation_note:
        blocks.append(Note("Escalation note for provider support", expl.escalation_note))
    return Card(head, tuple(blocks), _TONE.get(expl.outcome, "stuck"))
