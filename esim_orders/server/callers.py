"""Who is calling a tool: the OAuth caller the SDK's bearer middleware put on the request,
what that caller may see, and the one INFO line per call that answers "who looked at which
order" (subject, client, tool, refs; never a token, never personal data)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.mcpserver import Context

from .oauth_options import PERSONAL_SCOPE

__all__ = ["Caller", "caller_of", "log_call"]

log = logging.getLogger(__name__)

#: Refs named in one log line; a page has at most 50 orders.
MAX_LOGGED_REFS = 50
_UNSAFE = re.compile(r"[^A-Za-z0-9._:@|/+=-]")


@dataclass(frozen=True)
class Caller:
    """`scopes` None: no OAuth here (stdio, loopback, the shared token), so the process-wide
    `ESIM_ORDERS_PERSONAL_DATA` alone decides what is shown."""

    subject: str | None = None
    client_id: str | None = None
    scopes: frozenset[str] | None = None

    @property
    def personal(self) -> bool:
        """May see customers' names, e-mails and phones (when the process reads them)."""
        return self.scopes is None or PERSONAL_SCOPE in self.scopes

    def describe(self) -> str:
        if self.scopes is None:
            return "sub=- client=-"
        return f"sub={_clean(self.subject)} client={_clean(self.client_id)}"


def caller_of(context: Context[Any, Any]) -> Caller:
    request = context.request_context.request
    scope = getattr(request, "scope", None)
    user = scope.get("user") if isinstance(scope, Mapping) else None
    if not isinstance(user, AuthenticatedUser):
        return Caller()
    token = user.access_token
    return Caller(token.subject, token.client_id, frozenset(token.scopes))


def log_call(tool: str, caller: Caller, arguments: Mapping[str, Any], view: Any) -> None:
    """`tool <name> by sub=… client=… refs=…`: the refs asked for and the refs answered."""
    if not log.isEnabledFor(logging.INFO):
        return
    refs = list(dict.fromkeys(_refs(arguments, view)))
    shown = ",".join(_clean(ref) for ref in refs[:MAX_LOGGED_REFS])
    more = f" (+{len(refs) - MAX_LOGGED_REFS})" if len(refs) > MAX_LOGGED_REFS else ""
    outcome = "" if view is not None else " failed"
    log.info("tool %s%s by %s refs=%s%s", tool, outcome, caller.describe(), shown or "-", more)


def _refs(arguments: Mapping[str, Any], view: Any) -> Iterable[str]:
    asked = arguments.get("ref")
    if isinstance(asked, str):
        yield asked
    answered = getattr(view, "ref", None)
    if isinstance(answered, str):
        yield answered
    for order in getattr(view, "orders", None) or ():
        ref = getattr(order, "ref", None)
        if isinstance(ref, str):
            yield ref


def _clean(value: str | None) -> str:
    """Printable and bounded: a claim is the issuer's data, and a ref the caller's."""
    if not value:
        return "-"
    return _UNSAFE.sub("?", value[:100])
