"""Stopping without dropping tool calls: those in flight get a grace period to finish, and
the ones still running after it are cancelled with an answer that says why.

A stop used to cut every call at once: 20 calls waiting 3 s on a provider got no answer at
all, and the client saw a dropped connection it could not tell from a crash. Kubernetes
allows 30 s between SIGTERM and SIGKILL, so the default grace (ESIM_ORDERS_SHUTDOWN_GRACE_SECONDS)
is 25 s, leaving the rest to write the answers, end the event streams and close the service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from ..settings import SHUTDOWN_GRACE_SECONDS

__all__ = ["SHUTTING_DOWN", "Drain"]

log = logging.getLogger(__name__)

SHUTTING_DOWN = (
    "The esim-orders server is shutting down and stopped this call before it finished "
    "(nothing was changed: every tool only reads). Retry it in a few seconds."
)
# How often a stopping server looks whether its calls are done: only while it stops.
POLL_SECONDS = 0.05
# A cancelled call answers at once; this bounds a tool that would not let go.
CANCELLED_SECONDS = 5.0


class Drain:
    """The tool calls in flight in this process, and how a stop treats them.

    `call` wraps each tool call. `stop` refuses new calls, waits up to `grace` seconds for
    those in flight, then cancels the rest, each of which answers SHUTTING_DOWN. `cut`
    cancels them all at once (a second signal).
    """

    def __init__(
        self, grace: float = SHUTDOWN_GRACE_SECONDS, on_stop: Callable[[], None] | None = None
    ) -> None:
        self.grace = grace
        self.stopping = False
        #: Called as a stop begins, for what needs no grace (streams that only wait).
        self.on_stop = on_stop
        self._calls: set[anyio.CancelScope] = set()

    @property
    def in_flight(self) -> int:
        return len(self._calls)

    @contextmanager
    def call(self) -> Iterator[None]:
        """Around one tool call. Raises SHUTTING_DOWN when the server is stopping, whether it
        stopped before the call began or cancelled it on the way."""
        if self.stopping:
            raise ToolError(SHUTTING_DOWN)
        with anyio.CancelScope() as scope:
            self._calls.add(scope)
            try:
                yield
            finally:
                self._calls.discard(scope)
        if scope.cancelled_caught:
            raise ToolError(SHUTTING_DOWN)

    async def stop(self) -> None:
        """Refuse new calls, let those in flight finish within the grace period, cancel the
        rest; return once no call is left."""
        self.stopping = True
        if self.on_stop is not None:
            self.on_stop()
        if self._calls:
            waiting = (self.in_flight, self.grace)
            log.info("stopping: %d tool calls in flight, waiting up to %g s", *waiting)
        with anyio.move_on_after(self.grace):
            while self._calls:
                await anyio.sleep(POLL_SECONDS)
        if self._calls:
            log.warning(
                "stopping: %d tool calls still running after %g s; cancelling them",
                self.in_flight,
                self.grace,
            )
        self.cut()
        with anyio.move_on_after(CANCELLED_SECONDS):
            while self._calls:
                await anyio.sleep(POLL_SECONDS)

    def cut(self) -> None:
        """Cancel every call in flight now; each answers SHUTTING_DOWN."""
        self.stopping = True
        for scope in list(self._calls):
            scope.cancel()
