"""Ctrl-C and SIGTERM as a clean stop: calls in flight finish, the server winds down and the
service closes."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Awaitable, Callable

import anyio
import anyio.abc

from .drain import Drain

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# After the last call is done, time for its answer to be written before the transport stops.
ANSWER_PAUSE_SECONDS = 0.2


async def run_until_signal(
    serve: Callable[[], Awaitable[None]],
    on_signal: Callable[[int], None] | None = None,
    *,
    drain: Drain | None = None,
) -> None:
    """Run `serve` to its end, or until SIGINT/SIGTERM.

    By default a signal cancels `serve` (cleanup still runs, shielded where it must). With
    `drain`, the first signal first lets the tool calls in flight finish within its grace
    (the rest answer that the server is stopping) and a second cancels at once. With
    `on_signal`, each signal is handed to it instead, for a transport that stops its own way.
    """
    if sys.platform == "win32":  # pragma: no cover - no signal receivers there; Ctrl-C raises
        await serve()
        return
    async with anyio.create_task_group() as group:

        async def drain_then_stop() -> None:
            assert drain is not None
            await drain.stop()
            # The answers of the last calls are on their way to the client: let them out.
            await anyio.sleep(ANSWER_PAUSE_SECONDS)
            group.cancel_scope.cancel()

        async def watch(*, task_status: anyio.abc.TaskStatus[None]) -> None:
            with anyio.open_signal_receiver(*STOP_SIGNALS) as signals:
                task_status.started()
                async for signum in signals:
                    log.info("received %s, stopping", signal.Signals(signum).name)
                    if on_signal is not None:
                        on_signal(signum)
                    elif drain is not None and not drain.stopping:
                        group.start_soon(drain_then_stop)
                    else:
                        group.cancel_scope.cancel()

        # Started before serving, so no signal slips past to Python's default handlers.
        await group.start(watch)
        await serve()
        group.cancel_scope.cancel()
