"""What a model reads when a tool call fails: one actionable sentence, never a secret or a trace."""

from __future__ import annotations

from collections.abc import Sequence

from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from pydantic import ValidationError

from ..errors import EsimOrdersError, ReadOnlyViolation
from ..tools.errors import argument_problems, describe

INTERNAL = (
    "Internal error in {tool}; the server logged the details. It is a bug in the server, "
    "not a problem with the arguments, so changing them will not help."
)


def public_error(tool: str, exc: ToolError, arguments: Sequence[str] = ()) -> ToolError:
    """The error to show for a failed call of `tool`, as the SDK raised it.

    The SDK raises `ToolError` for arguments that fail the input schema and wraps everything
    else a tool raises in `UnexpectedToolError`; the original is the `__cause__`. Errors a
    caller can act on become a `ToolError` with our sentence; anything else stays an
    `UnexpectedToolError`, which the SDK logs with its traceback, under a generic message.
    `arguments` are the tool's, named when a call passed one it does not take.
    """
    cause = exc.__cause__
    if isinstance(cause, ReadOnlyViolation):
        return UnexpectedToolError(INTERNAL.format(tool=tool))
    if isinstance(cause, EsimOrdersError):
        return ToolError(describe(cause))
    # The tool's own `validate_call` titles its errors with the tool's name; a ValidationError
    # from deeper down (a model built from provider data) is a bug.
    if isinstance(cause, ValidationError) and (
        not isinstance(exc, UnexpectedToolError) or cause.title == tool
    ):
        return ToolError(arguments_text(tool, cause, arguments))
    if isinstance(exc, UnexpectedToolError):
        return UnexpectedToolError(INTERNAL.format(tool=tool))
    return exc


def arguments_text(tool: str, exc: ValidationError, arguments: Sequence[str] = ()) -> str:
    """`Invalid arguments for list_orders: limit: Input should be ...` with every field named,
    and the arguments the tool takes when one it does not take was passed."""
    text = f"Invalid arguments for {tool}: {'; '.join(argument_problems(exc))}."
    unknown = any(e["type"] == "extra_forbidden" for e in exc.errors())
    if unknown and arguments:
        text += f" {tool} takes {', '.join(arguments)}."
    return text


def unknown_tool(name: str, known: Sequence[str]) -> ToolError:
    names = ", ".join(known[:-1]) + f" and {known[-1]}" if len(known) > 1 else "".join(known)
    return ToolError(f"Unknown tool {name!r}; this server has {names}.")
