"""The one error hierarchy, shared by every layer: what this package raises on purpose."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class EsimOrdersError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(EsimOrdersError):
    """Configuration is missing or inconsistent; the message names the variable."""


class ReadOnlyViolation(EsimOrdersError):
    """Something tried to send a non-GET request to a provider API."""


class OrderNotFound(EsimOrdersError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"no order {ref!r}")
        self.ref = ref


class EsimNotFound(EsimOrdersError):
    """No configured provider knows this ICCID (or the order has no eSIM to read)."""

    def __init__(self, iccid: str) -> None:
        super().__init__(f"no eSIM {iccid!r}")
        self.iccid = iccid


class InvalidRef(EsimOrdersError):
    """An order ref that names no provider we can resolve."""


class ProviderError(EsimOrdersError):
    """A provider call failed; carries what the provider said, cleaned, never a secret."""

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.provider = provider
        self.status = status
        self.code = code
        self.provider_message = message
        self.request_id = request_id
        super().__init__(self._text())

    def after_retries(self, tries: int, seconds: float) -> ProviderError:
        """This error, saying it is the last of `tries` over `seconds`: the provider kept
        failing until the request's deadline, not once."""
        self.provider_message = f"{self.provider_message}; {tries} tries over {seconds:.0f} s"
        self.args = (self._text(),)
        return self

    def _text(self) -> str:
        parts = [f"{self.provider}"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"code {self.code}")
        head = " ".join(parts)
        tail = f" (request id {self.request_id})" if self.request_id else ""
        return f"{head}: {self.provider_message}{tail}"


class AuthenticationError(ProviderError):
    """Credentials or token rejected (401, or a refused token request)."""


class PermissionDenied(ProviderError):
    """403: the account may not do this (role, IP allow list, app identifier)."""


class NotFoundError(ProviderError):
    """404 from the provider."""


class AddressNotFound(NotFoundError):
    """404 where the provider's API always answers (its token endpoint, its order list): the
    configured address is wrong (a path off, the wrong host), not what was asked for."""


class RequestRejected(ProviderError):
    """400/409/422: the provider refused the request (validation or a business rule)."""


class RateLimited(ProviderError):
    """429; `retry_after` is the provider's wait in seconds when it said one."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ProviderUnavailable(ProviderError):
    """5xx or a connection that failed: the provider side is at fault."""


class ProviderUnreachable(ProviderUnavailable):
    """No connection could be made (refused, unknown host): the configured address is wrong,
    or the provider is down."""


class ProviderTimeout(ProviderError):
    """The call ran out of its overall deadline."""


class ProviderDataError(ProviderError):
    """The provider answered something we cannot read (truncated JSON, HTML, wrong shape)."""


class ResponseTooLarge(ProviderDataError):
    """The body passed the size cap; reading stopped there."""


@contextmanager
def first_error() -> Iterator[None]:
    """Re-raise a task group's `ExceptionGroup` as its first error alone (a `ProviderError`
    when there is one), so callers catch one typed error and never meet a group."""
    try:
        yield
    except ExceptionGroup as group:
        leaves = list(_leaves(group))
        provider_errors = [leaf for leaf in leaves if isinstance(leaf, ProviderError)]
        raise (provider_errors or leaves)[0] from None


def _leaves(group: BaseExceptionGroup[Any]) -> Iterator[BaseException]:
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            yield from _leaves(exc)
        else:
            yield exc
