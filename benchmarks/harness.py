"""What every benchmark shares: the result record, targets, interleaved timing, the machine."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Target:
    """A ratio bound written the way the issue writes it (`<= 1.10`), and its check."""

    text: str
    check: Callable[[float], bool] = field(repr=False, compare=False)

    def __call__(self, ratio: float) -> bool:
        return self.check(ratio)


def at_most(bound: float) -> Target:
    return Target(f"<= {bound:g}", lambda r: r <= bound)


def at_least(bound: float) -> Target:
    return Target(f">= {bound:g}", lambda r: r >= bound)


def exactly(value: float) -> Target:
    return Target(f"== {value:g}", lambda r: r == value)


def within(center: float, tolerance: float) -> Target:
    low, high = center * (1 - tolerance), center * (1 + tolerance)
    return Target(f"{center:g} +- {tolerance:.0%}", lambda r: low <= r <= high)


@dataclass
class Result:
    """One line of the table: ours against the baseline measured in the same run."""

    name: str
    ours: float
    baseline: float
    unit: str
    target: str
    meets: bool
    ratio: float
    note: str = ""

    @classmethod
    def of(
        cls, name: str, ours: float, baseline: float, unit: str, target: Target, note: str = ""
    ) -> Result:
        ratio = ours / baseline if baseline else float("inf")
        return cls(name, ours, baseline, unit, target.text, target(ratio), ratio, note)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ours"] = _round(self.ours)
        data["baseline"] = _round(self.baseline)
        data["ratio"] = round(self.ratio, 3)
        if not self.note:
            data.pop("note")
        return data


def _round(value: float) -> float:
    return round(value, 3) if isinstance(value, float) else value


def median(values: list[float]) -> float:
    return statistics.median(values)


def interleave(calls: Mapping[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Run each call once per round, in a rotating order, so drift hits every side alike.

    Each call returns its own measurement (seconds, bytes...), so set-up stays out of it.
    """
    names = list(calls)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(calls[name]())
    return samples


async def ainterleave(
    calls: Mapping[str, Callable[[], Awaitable[float]]], rounds: int
) -> dict[str, list[float]]:
    """`interleave` for coroutines."""
    names = list(calls)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(await calls[name]())
    return samples


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


def machine() -> dict[str, Any]:
    """Where the numbers come from: they only mean something next to each other."""
    info: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": _memory_gb(),
    }
    if hasattr(os, "getloadavg"):
        info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def say(text: str) -> None:
    """Progress goes to stderr; stdout carries the table."""
    print(text, file=sys.stderr, flush=True)
