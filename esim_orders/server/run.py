"""Run the server until told to stop: in this process (stdio or HTTP), or as HTTP workers.

`--workers N` starts N processes serving one port, stateless, each with its own order service
(its own token cache and connection pool). On Linux each worker listens on its own socket
with SO_REUSEPORT and the kernel spreads connections over them; elsewhere they share one
inherited listening socket. This process only supervises: it restarts a worker that dies,
and hands every SIGINT/SIGTERM on as SIGTERM, so the first drains and a second cuts, as with
one process.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from types import FrameType
from typing import Any

import anyio

from ..errors import ConfigError
from ..logs import configure_logging
from ..settings import Settings
from .app import ServiceFactory, build_server
from .http import HttpOptions, listen, serve_http, serving_line
from .shutdown import backstop_seconds
from .signals import STOP_SIGNALS, run_until_signal
from .stdio import serve_stdio

log = logging.getLogger(__name__)

# A worker that keeps dying is a bug or a broken environment, not something to retry forever.
RESTART_LIMIT = 5
RESTART_WINDOW_SECONDS = 60.0
READY_TIMEOUT_SECONDS = 60.0


def run_server(settings: Settings, http: HttpOptions | None = None) -> int:
    """Serve until the client leaves (stdio), or SIGINT/SIGTERM; 0 once everything is closed."""
    if http is not None and http.workers > 1:
        return run_workers(settings, http)
    server = build_server(settings)
    settle_heap()
    if http is None:
        anyio.run(partial(run_until_signal, drain=server.drain), lambda: serve_stdio(server))
    else:
        anyio.run(serve_http, server, http)
    return 0


def settle_heap() -> None:
    """Move everything start-up built (the SDK, pydantic schemas, the tools) out of the
    garbage collector's view before serving.

    Reading a listing allocates tens of thousands of objects, which sets off collections;
    each full one would walk the ~200,000 long-lived start-up objects again. Frozen, they
    are skipped: a 10-page listing measured 1.69x its ideal with them, 1.37x without.
    Only the young generations are collected first (2 ms): a full collection walks every
    start-up object (80-100 ms of each cold start) to free about 200 more objects.
    """
    gc.collect(1)
    gc.freeze()


def balanced_reuse_port() -> bool:
    """Whether the kernel spreads connections over sockets sharing a port (Linux does; BSD and
    macOS accept SO_REUSEPORT but do not balance, so there the workers share one socket)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def run_workers(settings: Settings, options: HttpOptions) -> int:
    """Start `options.workers` worker processes on one port and supervise them until a signal."""
    reuse_port = balanced_reuse_port()
    # Bound first, so --port 0 resolves once and every worker serves the same port. With
    # SO_REUSEPORT this socket only holds the port (it never listens, so gets no connections).
    held = listen(options, reuse_port=reuse_port, listening=not reuse_port)
    options = replace(options, port=held.getsockname()[1])
    # The embedded sandbox dates its orders back from "now": one "now" for every worker, so
    # a cursor from one worker points at the same orders on another; the sandbox's own
    # reference time (the hour's start), so the command line shows the same orders too.
    sandbox_now = _sandbox_reference_time() if settings.sandbox else None
    supervisor = _Supervisor(settings, options, None if reuse_port else held, sandbox_now)
    try:
        return supervisor.run()
    finally:
        held.close()


class _Supervisor:
    def __init__(
        self,
        settings: Settings,
        options: HttpOptions,
        shared: socket.socket | None,
        sandbox_now: datetime | None,
    ) -> None:
        self.settings = settings
        self.options = options
        self.shared = shared
        self.sandbox_now = sandbox_now
        self.context = multiprocessing.get_context("spawn")
        self.workers: dict[int, Any] = {}
        self.ready: dict[int, Any] = {}
        self.signals = 0
        self.restarts: list[float] = []

    def run(self) -> int:
        previous = {signum: signal.signal(signum, self._on_signal) for signum in STOP_SIGNALS}
        try:
            if not self._start_all():
                return 1
            print(f"esim-orders: {serving_line(self.options)}", file=sys.stderr, flush=True)
            return self._watch()
        finally:
            self._stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.signals += 1
        log.info("received %s, stopping the workers", signal.Signals(signum).name)
        self._forward()

    def _forward(self) -> None:
        for process in self.workers.values():
            if process.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGTERM)

    def _spawn(self, index: int) -> Any:
        ready = self.context.Event()
        process = self.context.Process(
            target=worker_main,
            args=(index, self.settings, self.options, self.shared, self.sandbox_now, ready),
            name=f"esim-orders-worker-{index}",
        )
        process.start()
        self.workers[index] = process
        self.ready[index] = ready
        return process

    def _start_all(self) -> bool:
        for index in range(1, self.options.workers + 1):
            self._spawn(index)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        for index, process in self.workers.items():
            while not self.ready[index].wait(0.1):
                if self.signals:
                    return False
                if not process.is_alive() or time.monotonic() > deadline:
                    print(
                        f"esim-orders: worker {index} did not start (exit code "
                        f"{process.exitcode}); stopping",
                        file=sys.stderr,
                        flush=True,
                    )
                    return False
        return True

    def _watch(self) -> int:
        while not self.signals:
            sentinels = [p.sentinel for p in self.workers.values()]
            multiprocessing.connection.wait(sentinels, timeout=0.5)
            if self.signals:
                break
            for index, process in list(self.workers.items()):
                if process.is_alive():
                    continue
                now = time.monotonic()
                self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW_SECONDS]
                if len(self.restarts) >= RESTART_LIMIT:
                    print(
                        f"esim-orders: workers died {RESTART_LIMIT} times within "
                        f"{RESTART_WINDOW_SECONDS:g}s; stopping",
                        file=sys.stderr,
                        flush=True,
                    )
                    return 1
                self.restarts.append(now)
                log.warning(
                    "worker %d exited (code %s); starting it again", index, process.exitcode
                )
                self._spawn(index)
        return 0

    def _stop_all(self) -> None:
        if not self.signals:
            # Stopping on our own (a worker failed): one SIGTERM, a drain. After a signal the
            # workers already have theirs, and a second would cut instead of drain.
            self._forward()
        # A worker stops within the backstop (the grace, its answers, closing); one still
        # alive a few seconds after that is killed.
        deadline = time.monotonic() + backstop_seconds(self.settings.shutdown_grace_seconds) + 3
        for process in self.workers.values():
            process.join(max(0.0, deadline - time.monotonic()))
        for process in self.workers.values():
            if process.is_alive():
                process.kill()
                process.join()


def worker_main(
    index: int,
    settings: Settings,
    options: HttpOptions,
    shared: socket.socket | None,
    sandbox_now: datetime | None,
    ready: Any,
) -> None:
    """One worker process: its own listener (or the shared one), server and order service."""
    if hasattr(os, "setpgid"):
        # Out of the terminal's process group: a Ctrl-C reaches the supervisor only, which
        # hands it on once; otherwise every worker would see it twice and cut instead of drain.
        os.setpgid(0, 0)
    configure_logging(settings.log_level)
    _exit_with_parent()
    try:
        listener = shared or listen(options, reuse_port=True)
    except ConfigError as exc:
        print(f"esim-orders: worker {index}: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)
    ready.set()
    server = build_server(settings, service_factory=_sandbox_factory(settings, sandbox_now))
    settle_heap()
    anyio.run(_serve_worker, server, options, listener, index)


async def _serve_worker(
    server: Any, options: HttpOptions, listener: socket.socket, index: int
) -> None:
    await serve_http(server, options, listener=listener, worker=index)


def _sandbox_reference_time() -> datetime:
    from ..sandbox.config import reference_time  # the sandbox loads only when it serves

    return reference_time(datetime.now(UTC))


def _sandbox_factory(settings: Settings, now: datetime | None) -> ServiceFactory | None:
    if not settings.sandbox or now is None:
        return None

    def factory() -> Any:
        from ..sandbox import SandboxConfig, create_app
        from ..service.wiring import open_service

        return open_service(settings, sandbox_app=create_app(SandboxConfig(now=now)))

    return factory


def _exit_with_parent() -> None:
    """Stop (as if by SIGTERM) when the supervisor is gone, even if it was killed outright."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="esim-orders parent watch", daemon=True).start()
