"""What a model reads when a tool call fails: one actionable sentence, never a secret or a trace."""

from __future__ import annotations

from collections.abc import Sequence

from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from pydantic import ValidationError

from ..errors import EsimOrdersError, ReadOnlyViolation
from ..tools.errors import describe

INTERNAL = (
    "Internal error in {tool}; the server logged the details. It is a bug in the server, "
    "not a problem with the arguments, so changing them will not help."
)


def public_error(tool: str, exc: ToolError) -> ToolError:
    """The error to show for a failed call of `tool`, as the SDK raised it.

    The SDK raises `ToolError` for arguments that fail the input schema and wraps everything
    else a tool raises in `UnexpectedToolError`; the original is the `__cause__`. Errors a
    caller can act on become a `ToolError` with our sentence; anything else stays an
    `UnexpectedToolError`, which the SDK logs with its traceback, under a generic message.
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
        return ToolError(arguments_text(tool, cause))
    if isinstance(exc, UnexpectedToolError):
        return UnexpectedToolError(INTERNAL.format(tool=tool))
    return exc


def arguments_text(tool: str, exc: ValidationError) -> str:
    """`Invalid arguments for list_orders: limit: Input should be ...` with every field named."""
    problems: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        problem = f"{field_path(error['loc'])}: {error['msg']}"
        if problem not in problems:
            problems.append(problem)
    return f"Invalid arguments for {tool}: {'; '.join(problems)}."


def field_path(loc: Sequence[int | str]) -> str:
    """`status[0]` for the first item of `status`; `arguments` when pydantic names no field."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "arguments"


def unknown_tool(name: str, known: Sequence[str]) -> ToolError:
    names = ", ".join(known[:-1]) + f" and {known[-1]}" if len(known) > 1 else "".join(known)
    return ToolError(f"Unknown tool {name!r}; this server has {names}.")
