"""What a partner reads of an explanation: public documents cited by name, one provider's
words in its own explanations, and punctuation that reads once."""

from __future__ import annotations

import re

import pytest

from esim_orders.failures import load_catalogue
from esim_orders.failures.catalogue import GENERIC_NAMES
from esim_orders.failures.codes import explain_code
from esim_orders.models import Allowance, Plan, Provider
from esim_orders.render import markdown as md_face
from esim_orders.render.order import plan_text
from esim_orders.render.text import explanation_text
from esim_orders.widgets import html as html_face

from ..helpers import NOW

CATALOGUE = load_catalogue()
#: Words that name our own notes, not a document a partner can open.
INTERNAL = re.compile(r"seed \d|provider-notes|/work/|\.md\b", re.IGNORECASE)
#: The same mark twice, or a sentence's full stop inside closing brackets before another.
DOUBLED = re.compile(r"\.\)|\.\.(?!\.)|[.;:,] ?[.;:,]")


def _every_code_explanation():
    """One explanation per catalogue entry and per generic text, through the public call."""
    for entry in CATALOGUE.entries:
        provider = "pressone" if entry.provider == "any" else entry.provider
        if entry.kind != "state":
            yield explain_code(provider, entry.code, NOW)
    for provider in ("pressone", "zim"):
        yield explain_code(provider, "NO_SUCH_CODE_42", NOW)  # generic:unknown_code
        yield explain_code(provider, "418", NOW)  # generic:http_4xx


def test_every_reference_names_a_public_document():
    sources = [s for names in CATALOGUE.sources.values() for s in names]
    assert sources
    advice = [*CATALOGUE.entries, *CATALOGUE.generic.values()]
    for item in advice:
        for reference in item.references:
            assert not INTERNAL.search(reference), reference
            assert reference.startswith(tuple(sources)), f"names no known source: {reference!r}"


def test_explanations_cite_sources_by_document_name():
    for expl in _every_code_explanation():
        text = explanation_text(expl)
        assert "Sources: " in text
        assert not INTERNAL.search(text), text


@pytest.mark.parametrize("provider", ["pressone", "zim"])
@pytest.mark.parametrize("generic", [g for g in GENERIC_NAMES if g != "http_4xx"])
def test_a_generic_explanation_speaks_of_its_own_provider_only(provider, generic):
    other = next(p for p in Provider if p.value != provider)
    advice = CATALOGUE.generic[generic]
    expl = explain_code(provider, "NO_SUCH_CODE_42", NOW)
    words = [advice.diagnosis, advice.cause, advice.impact.note, *advice.next_steps]
    words += expl.references if generic == "unknown_code" else []
    for text in words:
        assert other.display_name not in text, (generic, text)
        assert other.value not in text.lower().split(), (generic, text)


def test_an_unknown_pressone_code_never_mentions_zim():
    for face in (explanation_text, html_face.explanation_html, md_face.explanation_markdown):
        assert "Zim" not in face(explain_code("pressone", "9999", NOW))
        assert "PressOne" not in face(explain_code("zim", "SOMETHING_ELSE", NOW))


def test_no_explanation_doubles_its_punctuation():
    for expl in _every_code_explanation():
        for face in (explanation_text, md_face.explanation_markdown):
            rendered = face(expl)
            assert not DOUBLED.search(rendered), (expl.entry, DOUBLED.search(rendered))


def test_a_plan_leaves_out_allowances_of_zero():
    none = Allowance(amount=0, unit="MINUTES")
    plan = Plan(name="Thailand", data=Allowance(amount=20, unit="GB"), voice=none, sms=none)
    assert plan_text(plan) == "Thailand · data 20 GB"
    unlimited = Plan(name="X", voice=Allowance(unlimited=True), sms=Allowance(amount=50))
    assert plan_text(unlimited) == "X · voice unlimited, SMS 50"
