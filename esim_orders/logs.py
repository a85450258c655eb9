"""Logging for every face: stderr only (stdout carries results, and MCP on stdio), and no
secret the process holds in any line."""

from __future__ import annotations

import logging
import sys

from .redact import held_secrets

__all__ = ["configure_logging", "scrub_held_secrets"]


def configure_logging(level: str) -> None:
    """Logs go to stderr only: stdout belongs to results (and to MCP in stdio mode)."""
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(scrub_held_secrets)
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
