"""Property-based fuzzing of every tool's arguments through the MCP client.

Over 2,000 calls (derandomized, so CI sees the same ones every run) into one server: no
call is an internal error, every invalid input is answered with a message that names the
field, and valid input is never refused.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp_types import CallToolResult
from starlette.applications import Starlette

from esim_orders import tools
from esim_orders.client.transport import RetryPolicy
from esim_orders.models import OrderStatus, OrderType
from esim_orders.server.registry import FACE_PARAMETERS

from ..helpers import sandbox_app, state, text_of
from ..helpers.providers import make_server, provider_settings

Call = Callable[[str, dict[str, Any]], CallToolResult]
TOOLS = ("list_orders", "get_order", "explain_failure", "get_esim")
PARAMETERS = {
    name: [
        p for p in inspect.signature(getattr(tools, name)).parameters if p not in FACE_PARAMETERS
    ]
    for name in TOOLS
}
# Examples per property and tool; 2,350 calls in all (asserted by each test's own count).
BUDGET = {
    "anything": {"list_orders": 450, "get_order": 200, "explain_failure": 250, "get_esim": 100},
    "one_bad_field": {
        "list_orders": 450,
        "get_order": 150,
        "explain_failure": 250,
        "get_esim": 60,
    },
    "valid": {"list_orders": 200, "get_order": 100, "explain_failure": 100, "get_esim": 40},
}


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # a fixed seed: the same examples on every run
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def app() -> Starlette:
    return sandbox_app(orders=5)


@pytest.fixture(scope="module")
def call(app: Starlette) -> Iterator[Call]:
    """One in-memory client and server for the whole module, in a thread of its own, so
    each hypothesis example is a plain blocking call."""
    made = make_server(
        provider_settings(), policy=RetryPolicy(max_attempts=1, deadline=5.0), app=app
    )
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(Client(made.server)) as client,
    ):
        yield lambda tool, arguments: portal.call(client.call_tool, tool, arguments)


@pytest.fixture(scope="module")
def refs(app: Starlette) -> st.SearchStrategy[str]:
    """Refs of real orders, and well-formed ones no provider knows."""
    data = state(app).data
    known = [f"pressone:{o.id}" for o in data.pressone.orders]
    known += [f"zim:{o.id}" for o in data.zim.orders] + [str(data.pressone.orders[0].id)]
    return st.one_of(
        st.sampled_from(known),
        st.integers(1, 10**12).map(lambda n: f"pressone:{n}"),
        st.from_regex(r"\Azim:ordr_[A-Za-z0-9]{1,30}\Z"),
    )


# ---- strategies -------------------------------------------------------------------------

TRICKY = st.sampled_from(
    [
        "",
        " ",
        "pressone",
        "zim",
        "FAILED",
        "null",
        "true",
        "[]",
        "{}",
        '["FAILED"]',
        "0",
        "-1",
        "1e999999",
        "2026-11-01",
        "2026-02-30",
        "0001-01-01",
        "9999-12-31",
        "pressone:1",
        "zim:ordr_FaiL1234567890abcdEFG",
        "ordr_",
        ":",
        "\x00\x00",
        "\u202eevil\u202c",
        "a\u200bb",
        "x" * 600,
        "\ud7ff" * 3,
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    TRICKY,
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def not_json(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Strings no JSON pre-parsing turns into something else, and no enum value equals."""
    return text.map(lambda s: "x" + s)


def sized_text(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(min_size=low, max_size=high)


REFS = st.from_regex(r"\A[A-Za-z0-9:_\-]{1,120}\Z")
ICCIDS = st.from_regex(r"\A[0-9]{10,22}\Z")
WRONG_TYPE = st.one_of(
    st.integers(),
    st.lists(st.integers(), min_size=1, max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2),
)
NOT_A_DAY = st.one_of(
    not_json(st.text(max_size=12)),
    st.sampled_from(["2026-02-30", "2026-13-01", "26-11-01", "2026/11/01", "10000-01-01"]),
    st.lists(st.integers(), min_size=1, max_size=2),
)
NOT_A_REF = st.one_of(
    st.just(""),
    sized_text(121, 140),
    st.text(min_size=1, max_size=40).filter(lambda s: re.search(r"[^A-Za-z0-9:_\-]", s)),
    WRONG_TYPE,
)

VALID: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "list_orders": {
        "provider": st.sampled_from(["pressone", "zim"]),
        "status": st.lists(st.sampled_from([s.value for s in OrderStatus]), min_size=1, max_size=8),
        "type": st.sampled_from([t.value for t in OrderType]),
        "created_after": st.dates().map(date.isoformat),
        "created_before": st.dates().map(date.isoformat),
        "iccid": st.from_regex(r"\A[0-9]{4,22}\Z"),
        "code": sized_text(2, 40),
        "text": sized_text(2, 100),
        "destination": st.one_of(
            st.sampled_from(["South Africa", "za", "ZAF", "Europe", "Japan"]), sized_text(2, 60)
        ),
        "limit": st.integers(min_value=1, max_value=100),
        # No valid cursor can be drawn: only list_orders makes them (see test_tools).
        "cursor": st.nothing(),
    },
    "get_order": {"ref": REFS},
    "explain_failure": {
        "ref": REFS,
        "provider": st.sampled_from(["pressone", "zim"]),
        "code": sized_text(1, 500),
    },
    "get_esim": {"ref": REFS, "iccid": ICCIDS},
}
INVALID: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "list_orders": {
        "provider": st.one_of(not_json(st.text(max_size=10)), WRONG_TYPE),
        "status": st.one_of(
            st.just([]),
            st.lists(not_json(st.text(max_size=8)), min_size=1, max_size=3),
            st.lists(st.sampled_from([s.value for s in OrderStatus]), min_size=9, max_size=12),
            not_json(st.text(max_size=8)),
            st.integers(),
        ),
        "type": st.one_of(not_json(st.text(max_size=10)), WRONG_TYPE),
        "created_after": NOT_A_DAY,
        "created_before": NOT_A_DAY,
        "iccid": st.one_of(
            st.from_regex(r"\A[0-9]{1,3}\Z"),
            st.from_regex(r"\A[0-9]{23,30}\Z"),
            st.from_regex(r"\A[0-9]{2,8}[^0-9][0-9]{2,8}\Z"),
            WRONG_TYPE,
        ),
        "code": st.one_of(sized_text(0, 1), sized_text(41, 60), WRONG_TYPE),
        "text": st.one_of(sized_text(0, 1), sized_text(101, 130), WRONG_TYPE),
        "destination": st.one_of(sized_text(0, 1), sized_text(61, 80), WRONG_TYPE),
        "limit": st.one_of(
            st.integers(max_value=0),
            st.integers(min_value=101),
            st.floats(min_value=1.01, max_value=99.99).filter(lambda x: not x.is_integer()),
            not_json(st.text(max_size=5)),
            st.lists(st.integers(), min_size=1, max_size=2),
        ),
        "cursor": st.one_of(st.just(""), sized_text(1, 60), sized_text(401, 420), WRONG_TYPE),
    },
    "get_order": {"ref": st.one_of(NOT_A_REF, st.none())},
    "explain_failure": {
        "ref": NOT_A_REF,
        "provider": st.one_of(not_json(st.text(max_size=10)), WRONG_TYPE),
        "code": st.one_of(st.just(""), sized_text(501, 520), WRONG_TYPE),
    },
    "get_esim": {
        "ref": NOT_A_REF,
        "iccid": st.one_of(
            st.from_regex(r"\A[0-9]{1,9}\Z"),
            st.from_regex(r"\A[0-9]{23,30}\Z"),
            st.from_regex(r"\A[0-9]{5,10}[^0-9][0-9]{5,10}\Z"),
            WRONG_TYPE,
        ),
    },
}


def test_every_parameter_has_strategies() -> None:
    """A new tool parameter fails here until the fuzzer knows it."""
    for tool in TOOLS:
        assert sorted(VALID[tool]) == sorted(PARAMETERS[tool])
        assert sorted(INVALID[tool]) == sorted(PARAMETERS[tool])


@st.composite
def anything(draw: st.DrawFn, tool: str) -> dict[str, Any]:
    """Any subset of the parameters, each valid or any JSON value, plus unknown keys (refused
    by name)."""
    arguments: dict[str, Any] = {}
    for name in PARAMETERS[tool]:
        choice = draw(st.sampled_from(["absent", "valid", "invalid", "any"]))
        if choice == "valid" and name != "cursor":
            arguments[name] = draw(VALID[tool][name])
        elif choice == "invalid":
            arguments[name] = draw(INVALID[tool][name])
        elif choice == "any":
            arguments[name] = draw(ANY_JSON)
    arguments.update(draw(st.dictionaries(st.sampled_from(["x", "refs", "Limit"]), ANY_JSON)))
    return arguments


@st.composite
def valid_base(draw: st.DrawFn, tool: str, refs: st.SearchStrategy[str]) -> dict[str, Any]:
    """Arguments every part of which is valid, cross-field rules included."""
    if tool == "get_order":
        return {"ref": draw(refs)}
    if tool == "get_esim":
        return {"ref": draw(refs)} if draw(st.booleans()) else {"iccid": draw(ICCIDS)}
    if tool == "explain_failure":
        if draw(st.booleans()):
            return {"ref": draw(refs)}
        return {"provider": draw(VALID[tool]["provider"]), "code": draw(codes())}
    arguments = {}
    for name in PARAMETERS[tool]:
        if name != "cursor" and draw(st.integers(0, 2)) == 0:
            arguments[name] = draw(VALID[tool][name])
    after, before = arguments.get("created_after"), arguments.get("created_before")
    if after and before and before <= after:
        arguments["created_after"], arguments["created_before"] = before, after
        if before == after:
            del arguments["created_before"]
    return arguments


def codes() -> st.SearchStrategy[str]:
    """Codes with something left once control characters are gone."""
    return st.one_of(
        st.sampled_from(["4008", "34", "429", "503", "PLAN_NOT_FOUND", "HTTP 500"]),
        sized_text(1, 500).filter(lambda s: any(c.isalnum() for c in s)),
    )


# ---- what an answer must be -------------------------------------------------------------

REF_PROBLEMS = ("unknown provider ", "cannot tell the provider of ", "ref ")
NOT_KNOWN = ("No order ", "No configured provider knows an eSIM")


def named_fields(tool: str, text: str) -> set[str]:
    """The parameters an error message blames, or an empty set when it blames none."""
    prefix = f"Invalid arguments for {tool}: "
    params = "|".join(PARAMETERS[tool])
    if text.startswith(prefix):
        problems = text[len(prefix) :].split("; ")
        # An argument the tool does not take is blamed by its own name.
        unknown = r"\w+(?=: is not an argument of this tool)"
        return {
            m.group(1) for p in problems if (m := re.match(rf"({params}|{unknown})(?=[:.\[])", p))
        }
    if m := re.match(rf"({params}): ", text):  # ToolInputError: "cursor: it is not a ..."
        return {m.group(1)}
    if text.startswith(REF_PROBLEMS) and "ref" in PARAMETERS[tool]:
        return {"ref"}
    return set()


def check(tool: str, arguments: dict[str, Any], result: CallToolResult) -> str | None:
    """None when the call succeeded; else its message, checked for blame and for bugs."""
    text = text_of(result)
    assert not text.startswith("Internal error"), (tool, arguments, text)
    if not result.is_error:
        assert result.structured_content is not None
        return None
    assert result.structured_content is None
    if text.startswith(NOT_KNOWN) and ("ref" in arguments or "iccid" in arguments):
        return text  # a well-formed ref or ICCID no provider knows: not an argument problem
    blamed = named_fields(tool, text)
    assert blamed, (tool, arguments, text)
    assert blamed <= set(arguments) | {"ref", "provider", "code"}, (arguments, text)
    return text


def run(call: Call, tool: str, examples: int, strategy: st.SearchStrategy, prop) -> int:
    seen = [0]

    @fuzz_settings(examples)
    @given(case=strategy)
    def examples_of(case: Any) -> None:
        seen[0] += 1
        prop(case)

    examples_of()
    return seen[0]


def no_crash_logged(caplog: pytest.LogCaptureFixture) -> None:
    crashes = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not crashes, crashes[0].getMessage()


# ---- the properties ---------------------------------------------------------------------


@pytest.mark.parametrize("tool", TOOLS)
def test_any_arguments_give_an_answer_or_an_error_that_names_a_field(
    call: Call, tool: str, caplog: pytest.LogCaptureFixture
) -> None:
    def prop(arguments: dict[str, Any]) -> None:
        check(tool, arguments, call(tool, arguments))

    examples = BUDGET["anything"][tool]
    assert run(call, tool, examples, anything(tool), prop) == examples
    no_crash_logged(caplog)


@pytest.mark.parametrize("tool", TOOLS)
def test_one_invalid_field_is_refused_and_named(
    call: Call, refs: st.SearchStrategy[str], tool: str, caplog: pytest.LogCaptureFixture
) -> None:
    @st.composite
    def one_bad(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
        arguments = draw(valid_base(tool, refs))
        field = draw(st.sampled_from(PARAMETERS[tool]))
        arguments[field] = draw(INVALID[tool][field])
        return field, arguments

    def prop(case: tuple[str, dict[str, Any]]) -> None:
        field, arguments = case
        result = call(tool, arguments)
        assert result.is_error, (arguments, text_of(result))
        text = check(tool, arguments, result)
        assert text is not None
        assert field in named_fields(tool, text), (field, arguments, text)

    examples = BUDGET["one_bad_field"][tool]
    assert run(call, tool, examples, one_bad(), prop) == examples
    no_crash_logged(caplog)


@pytest.mark.parametrize("tool", TOOLS)
def test_valid_arguments_are_answered(
    call: Call, refs: st.SearchStrategy[str], tool: str, caplog: pytest.LogCaptureFixture
) -> None:
    def prop(arguments: dict[str, Any]) -> None:
        result = call(tool, arguments)
        text = check(tool, arguments, result)
        assert text is None or text.startswith(NOT_KNOWN), (arguments, text)

    examples = BUDGET["valid"][tool]
    assert run(call, tool, examples, valid_base(tool, refs), prop) == examples
    no_crash_logged(caplog)


def test_the_budget_is_over_2000_calls() -> None:
    assert sum(sum(per_tool.values()) for per_tool in BUDGET.values()) >= 2000
