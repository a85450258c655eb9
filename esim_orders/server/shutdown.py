"""How the HTTP server stops on SIGTERM or Ctrl-C, in the order that drops no answer.

1. Stop accepting connections (the gate closes the listener) and tell uvicorn to shut down,
   which closes idle connections and lets each busy one close after its answer.
2. Let tool calls in flight finish within the grace period; cancel the rest, each answering
   that the server is shutting down (`drain.Drain`).
3. Wait for those answers to be written: every request but an event stream (GET) is done.
4. End the sessions, as their idle timeout would: their event streams end, the last
   connections close, and uvicorn closes the app (and the order service) in its own time.

uvicorn's own shutdown timeout stays as a backstop past all that; reaching it would cancel
requests with a traceback each. A second signal cancels the calls and ends the sessions at
once; a second later uvicorn stops waiting for anything else.
"""

from __future__ import annotations

import logging

import anyio
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from .connections import ConnectionGate
from .drain import POLL_SECONDS, Drain
from .sessions import EvictingSessionManager

__all__ = ["ANSWER_SECONDS", "HttpStop", "InFlightRequests", "backstop_seconds"]

log = logging.getLogger(__name__)

# Time for the answers of finished (or cancelled) calls to be written out.
ANSWER_SECONDS = 3.0
# After a second signal, how long uvicorn may still close connections its own way.
CUT_SECONDS = 1.0


def backstop_seconds(grace: float) -> float:
    """How long anything may wait on a stopping server: the grace, the answers, and slack
    for ending sessions and closing the service (uvicorn's timeout, the supervisor's join)."""
    return grace + ANSWER_SECONDS + 2.0


class InFlightRequests:
    """ASGI middleware counting the HTTP requests being answered, event streams (GET) aside:
    those stay open until their session ends, which is the last step of a stop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.count = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "GET":
            await self.app(scope, receive, send)
            return
        self.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.count -= 1

    async def answered(self, timeout: float) -> None:
        """Return once no request is being answered, or after `timeout` seconds."""
        with anyio.move_on_after(timeout):
            while self.count:
                await anyio.sleep(POLL_SECONDS)


class HttpStop:
    """The stop sequence above for one uvicorn server: `signal` is called on each signal,
    `run` goes beside uvicorn's `serve`."""

    def __init__(
        self,
        uv: uvicorn.Server,
        gate: ConnectionGate,
        drain: Drain,
        requests: InFlightRequests,
        sessions: EvictingSessionManager,
    ) -> None:
        self.uv, self.gate, self.drain = uv, gate, drain
        self.requests, self.sessions = requests, sessions
        self._first = anyio.Event()
        self._second = anyio.Event()

    def signal(self, _signum: int) -> None:
        self.gate.close()
        self.uv.should_exit = True
        if self._first.is_set():
            log.info("second signal: cancelling every call and closing now")
            self.drain.cut()
            self._second.set()
        self._first.set()

    async def run(self) -> None:
        await self._first.wait()
        async with anyio.create_task_group() as group:
            group.start_soon(self._cut_on_second_signal)
            await self.drain.stop()
            await self.requests.answered(ANSWER_SECONDS)
            await self.sessions.end_all()

    async def _cut_on_second_signal(self) -> None:
        """After a second signal the calls answer at once and the sessions end; whatever
        else would hold uvicorn (a client slow to send a body) is not waited for."""
        await self._second.wait()
        await anyio.sleep(CUT_SECONDS)
        self.uv.force_exit = True
