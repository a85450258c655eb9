"""Logging: stderr only, and no held secret in any line."""

from __future__ import annotations

import logging
import sys

from esim_orders.logs import scrub_held_secrets
from esim_orders.redact import held_secrets


def test_log_lines_never_carry_a_held_secret_whatever_logged_it():
    """The last guard on stderr: a library's log line, or a traceback, that quotes a secret
    the process holds is written with the secret replaced."""
    held_secrets.add("held-secret-for-the-log-guard")
    record = logging.LogRecord(
        "somelib", logging.WARNING, __file__, 1, "sent %s", ("held-secret-for-the-log-guard",), None
    )
    try:
        raise RuntimeError("boom held-secret-for-the-log-guard")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    assert scrub_held_secrets(record)
    written = logging.Formatter().format(record)
    assert "held-secret-for-the-log-guard" not in written
    assert "sent [redacted]" in written and "boom [redacted]" in written
