"""Errors as one actionable sentence for whoever called a tool, a model or a person."""

from __future__ import annotations

from ..errors import (
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
    RateLimited,
    RequestRejected,
)
from ..models import display_name
from ..providers import spec_for


class ToolInputError(EsimOrdersError):
    """An argument a caller can fix; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def describe(exc: EsimOrdersError) -> str:
    """The sentence to show. Provider text in it is already cleaned; no secret is ever in it."""
    if isinstance(exc, OrderNotFound):
        return f"No order {exc.ref}. Use list_orders to find order refs."
    if isinstance(exc, EsimNotFound):
        return (
            f"No configured provider knows an eSIM with ICCID {exc.iccid}. "
            "Use list_orders with iccid to find its order."
        )
    if isinstance(exc, InvalidRef):
        said = str(exc)
        return f"{said}{'' if said.endswith('.') else '.'} Use list_orders to find order refs."
    if isinstance(exc, ToolInputError | ConfigError):
        return str(exc)
    if isinstance(exc, ProviderError):
        return _describe_provider(exc)
    return str(exc)


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


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1]


def _status(exc: ProviderError) -> str:
    return f"HTTP {exc.status}: " if exc.status else ""
