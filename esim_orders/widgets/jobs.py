"""Blocking tool calls on worker threads, their results applied on the kernel's own thread.

A button callback must return at once or the kernel stops answering (no other click, no
cell runs). So the work runs on a daemon thread, which waits on the `SyncOrderService` loop
thread; the widget updates it produces are queued and run by the kernel's event loop
(`call_soon_threadsafe`) when it is free, so every widget change happens on the thread that
owns the widgets, as ipykernel 7 expects. Without a running loop (a script, a test) updates
run on the worker at once, and `wait()` gives a caller a point where all is settled.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Update = Callable[[], None]


class Superseded(Exception):
    """Raised inside a job's work to stop it early once a newer job replaced it."""


class Report:
    """Given to a job's work function: posts progress updates while the job is current."""

    def __init__(self, runner: Runner, channel: str, generation: int) -> None:
        self._runner = runner
        self._channel = channel
        self._generation = generation

    @property
    def current(self) -> bool:
        """False once a newer job on the same channel replaced this one: stop early."""
        return self._runner.is_current(self._channel, self._generation)

    def __call__(self, update: Update) -> None:
        """Post a progress update; stop the job (raise `Superseded`) if it went stale."""
        if not self.current:
            raise Superseded
        self._runner.post(self._channel, self._generation, update)


class Runner:
    """Runs jobs per channel; a newer job on a channel makes the older one's results stale."""

    def __init__(self) -> None:
        self._loop = _kernel_loop()
        self._updates: queue.SimpleQueue[tuple[str, int, Update]] = queue.SimpleQueue()
        self._generations: dict[str, int] = {}
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._apply_lock = threading.RLock()

    def is_current(self, channel: str, generation: int) -> bool:
        return self._generations.get(channel) == generation

    def cancel(self, channel: str) -> None:
        """Make the running job on `channel` stale: its results will not be applied."""
        with self._lock:
            self._generations[channel] = self._generations.get(channel, 0) + 1

    def submit(
        self,
        channel: str,
        work: Callable[[Report], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """Run `work` on a worker; then `done(result)` or `failed(error)` on the widgets' thread,
        unless another job was submitted on `channel` in the meantime."""
        with self._lock:
            generation = self._generations.get(channel, 0) + 1
            self._generations[channel] = generation
        report = Report(self, channel, generation)

        def run() -> None:
            try:
                result = work(report)
            except Exception as exc:
                error = exc  # the name `exc` is unbound once the block ends
                self.post(channel, generation, lambda: failed(error))
            else:
                self.post(channel, generation, lambda: done(result))
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=run, name=f"esim-orders-{channel}", daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()

    def post(self, channel: str, generation: int, update: Update) -> None:
        """Queue a widget update; it is dropped if its job is stale by the time it runs."""
        self._updates.put((channel, generation, update))
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self.drain)
                return
            except RuntimeError:  # the loop closed in between
                pass
        self.drain()

    def drain(self) -> None:
        """Apply every queued update, in order; errors are logged, never raised into a loop."""
        with self._apply_lock:
            while True:
                try:
                    channel, generation, update = self._updates.get_nowait()
                except queue.Empty:
                    return
                if not self.is_current(channel, generation):
                    continue
                try:
                    update()
                except Exception:
                    log.exception("updating the %s view failed", channel)

    def busy(self) -> bool:
        with self._lock:
            return any(t.is_alive() for t in self._threads)

    def wait(self, timeout: float = 60.0) -> None:
        """Block until every job (and every job those started) finished and its updates ran.

        For scripts, tests and a notebook cell that wants a settled view before it shows it;
        a widget callback must never call it."""
        deadline = time.monotonic() + timeout
        while True:
            self.drain()
            with self._lock:
                alive = [t for t in self._threads if t.is_alive()]
            if not alive and self._updates.empty():
                return
            for thread in alive:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"orders view still loading after {timeout:g} s")
                thread.join(min(left, 0.05))


def _kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the thread creating the widgets: in Jupyter, the kernel's."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
