"""Ctrl-C and SIGTERM as a clean stop: the server winds down and the service closes."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Awaitable, Callable

import anyio
import anyio.abc

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def run_until_signal(
    serve: Callable[[], Awaitable[None]],
    on_signal: Callable[[int], None] | None = None,
) -> None:
    """Run `serve` to its end, or until SIGINT/SIGTERM.

    By default a signal cancels `serve` (cleanup still runs, shielded where it must). With
    `on_signal`, each signal is handed to it instead, for a transport that stops gracefully.
    """
    if sys.platform == "win32":  # pragma: no cover - no signal receivers there; Ctrl-C raises
        await serve()
        return
    async with anyio.create_task_group() as group:

        async def watch(*, task_status: anyio.abc.TaskStatus[None]) -> None:
            with anyio.open_signal_receiver(*STOP_SIGNALS) as signals:
                task_status.started()
                async for signum in signals:
                    log.info("received %s, stopping", signal.Signals(signum).name)
                    if on_signal is None:
                        group.cancel_scope.cancel()
                    else:
                        on_signal(signum)

        # Started before serving, so no signal slips past to Python's default handlers.
        await group.start(watch)
        await serve()
        group.cancel_scope.cancel()
