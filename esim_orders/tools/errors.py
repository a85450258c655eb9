"""Errors as one actionable sentence for whoever called a tool, a model or a person."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ..errors import (
    AddressNotFound,
    AuthenticationError,
    ConfigError,
    EsimNotFound,
    EsimOrdersError,
    InvalidRef,
    NotFoundError,
    OrderNotFound,
    PermissionDenied,
    ProviderDataError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    ProviderUnreachable,
    RateLimited,
    RequestRejected,
)
from ..models import Provider, display_name
from ..providers import spec_for
from .terms import MCP, Terms
from .views import ProviderIssue


class ToolInputError(EsimOrdersError):
    """An argument a caller can fix: `field` names it, and `problem` names other arguments and
    tools as `{name}`, so each face says them in its own terms (`worded`)."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(self.worded(MCP))

    def worded(self, terms: Terms) -> str:
        return f"{terms.name(self.field)}: {terms.word(self.problem)}"


def provider_issues(
    errors: Mapping[Provider, ProviderError], asked: Iterable[Provider]
) -> list[ProviderIssue]:
    """The failed providers as issues beside an answer; when every asked provider failed there
    is no answer to stand beside, and the first failure itself is raised."""
    asked = list(asked)
    if errors and asked and all(p in errors for p in asked):
        raise next(iter(errors.values()))
    return [
        ProviderIssue(
            provider=p, error=describe(e), retry_after_seconds=getattr(e, "retry_after", None)
        )
        for p, e in errors.items()
    ]


_FIND_REFS = "Use {list_orders} to find order refs."


def describe(exc: EsimOrdersError, terms: Terms = MCP) -> str:
    """The sentence to show, in the terms of the face showing it. Provider text in it is
    already cleaned; no secret is ever in it."""
    if isinstance(exc, OrderNotFound):
        return f"No order {exc.ref}. {terms.word(_FIND_REFS)}"
    if isinstance(exc, EsimNotFound):
        return f"No configured provider knows an eSIM with ICCID {exc.iccid}. " + terms.word(
            "Use {list_orders} with iccid to find its order."
        )
    if isinstance(exc, InvalidRef):
        said = str(exc)
        return f"{said}{'' if said.endswith('.') else '.'} {terms.word(_FIND_REFS)}"
    if isinstance(exc, ToolInputError):
        return exc.worded(terms)
    if isinstance(exc, ConfigError):
        return str(exc)
    if isinstance(exc, ProviderError):
        return _describe_provider(exc)
    return str(exc)


def argument_problems(exc: ValidationError, terms: Terms = MCP) -> list[str]:
    """Each invalid argument of a tool call as `name: problem`, the name in the face's terms
    (`status[0]` for the first item of `status`); each problem once."""
    problems: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = list(error["loc"])
        head = terms.name(str(loc.pop(0))) if loc and isinstance(loc[0], str) else "arguments"
        path = head + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
        problem = f"{path}: {_problem(error)}"
        if problem not in problems:
            problems.append(problem)
    return problems


#: What each argument pattern of the tools asks for, in words instead of the regex.
_PATTERNS = {
    r"^[A-Za-z0-9:_\-]+$": (
        "may hold only letters, digits, ':', '_' and '-' (refs look like pressone:9666 or "
        "zim:ordr_…)"
    ),
    r"^[0-9]{10,22}$": "must be 10 to 22 digits",
    r"^[0-9]+$": "must be digits only",
}


def _problem(error: ErrorDetails) -> str:
    context = error.get("ctx") or {}
    if error["type"] == "string_too_short" and context.get("min_length") == 1:
        return "is empty"
    if error["type"] == "extra_forbidden":
        return "is not an argument of this tool"
    if error["type"] == "string_pattern_mismatch":
        return _PATTERNS.get(str(context.get("pattern")), error["msg"])
    return error["msg"]


def _describe_provider(exc: ProviderError) -> str:
    name = display_name(exc.provider)
    said = exc.provider_message
    if isinstance(exc, AuthenticationError):
        return f"{name}: {said}."
    if isinstance(exc, PermissionDenied):
        checks = ["the account's role", "the server's IP allow list", *_access_variables(exc)]
        return f"{name} refused access (HTTP 403: {said}). Check {_and(checks)}."
    if isinstance(exc, RateLimited):
        when = (
            f"in {max(1, round(exc.retry_after))} seconds"
            if exc.retry_after is not None
            else "in a minute"
        )
        return f"{name} is rate-limiting requests; retry {when}."
    if isinstance(exc, AddressNotFound):
        return f"{name} has {said}: check {_or(_address_variables(exc), 'its address')}."
    if isinstance(exc, ProviderUnreachable):
        where = _or(_address_variables(exc), "its address")
        return (
            f"{name} could not be reached ({said}): check {where}; if it is right, the "
            "provider is down: retry in a minute."
        )
    if isinstance(exc, ProviderTimeout):
        return f"{name} did not answer in time ({said}); retry in a minute."
    if isinstance(exc, ProviderUnavailable):
        return f"{name} is unavailable ({_status(exc)}{said}); retry in a minute."
    if isinstance(exc, ProviderDataError):
        return f"{name} sent an answer that could not be read ({said}); retry later."
    if isinstance(exc, RequestRejected | NotFoundError):
        return f"{name} rejected the request ({_status(exc)}{said})."
    return f"{name} failed ({_status(exc)}{said})."


def _access_variables(exc: ProviderError) -> tuple[str, ...]:
    try:
        return spec_for(exc.provider).access_variables
    except KeyError:
        return ()


def _address_variables(exc: ProviderError) -> list[str]:
    try:
        return list(spec_for(exc.provider).address_variables)
    except KeyError:
        return []


def _or(items: list[str], otherwise: str) -> str:
    if not items:
        return otherwise
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1]


def _status(exc: ProviderError) -> str:
    return f"HTTP {exc.status}: " if exc.status else ""
