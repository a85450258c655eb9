"""Logging for every face: stderr only (stdout carries results, and MCP on stdio), and no
secret the process holds in any line."""

from __future__ import annotations

import logging
import sys

from .redact import held_secrets

__all__ = [
    "ANSWERED",
    "configure_logging",
    "configure_notebook_logging",
    "not_answered",
    "scrub_held_secrets",
]

#: `extra` of a log line about an error the caller is answered with as well (a provider that
#: failed is named in the listing, or is the error): a face that shows its answers to a
#: person, the command line or a notebook, leaves such lines out so that each error reads
#: once; a server's operator still sees them.
ANSWERED = {"answered": True}
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str, *, answers_shown: bool = False) -> None:
    """Logs go to stderr only: stdout belongs to results (and to MCP in stdio mode).
    `answers_shown`: the person reading stderr also reads the answers (`ANSWERED`)."""
    logging.basicConfig(level=level, stream=sys.stderr, format=_FORMAT)
    for handler in logging.getLogger().handlers:
        handler.addFilter(scrub_held_secrets)
        if answers_shown:
            handler.addFilter(not_answered)
    # httpx2 logs full request URLs at INFO; ours say what matters without them.
    logging.getLogger("httpx2").setLevel(max(logging.WARNING, logging.getLevelName(level)))


def scrub_held_secrets(record: logging.LogRecord) -> bool:
    """A last guard on every log line, libraries' included: no secret the process holds is
    written, whatever text carried it (provider text is already scrubbed where it enters)."""
    message = record.getMessage()
    scrubbed = held_secrets.scrub(message)
    if scrubbed is not message:
        record.msg, record.args = scrubbed, None
    if record.exc_info and not record.exc_text:
        record.exc_text = held_secrets.scrub(logging.Formatter().formatException(record.exc_info))
    return True


def not_answered(record: logging.LogRecord) -> bool:
    """Keep a line unless the error it reports is in the answer too (`ANSWERED`)."""
    return not getattr(record, "answered", False)


def configure_notebook_logging(level: str) -> None:
    """Logging in a notebook kernel that nobody configured: this package's lines at `level`
    (`ESIM_ORDERS_LOG_LEVEL`) to stderr, without those the widgets show in their views.
    Without it Python's last-resort handler prints every warning under the cell, whatever
    the level asked for. A kernel (or test run) whose logging is configured is left alone."""
    if logging.getLogger().handlers:
        return
    package = logging.getLogger("esim_orders")
    package.setLevel(level)
    if not any(isinstance(h, _NotebookHandler) for h in package.handlers):
        handler = _NotebookHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(scrub_held_secrets)
        handler.addFilter(not_answered)
        package.addHandler(handler)


class _NotebookHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `configure_notebook_logging` adds, known by its class so it is added once."""
