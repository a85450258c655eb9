"""The client side of the scale benchmark, in a process of its own so its peak memory is the
client's alone: `python -m benchmarks.scale_client SMALL_URL LARGE_URL ROUNDS` prints JSON."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import anyio

from esim_orders.models import OrderFilter, Provider
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

ONLY_PRESSONE = OrderFilter(providers=frozenset({Provider.PRESSONE}))


def settings_for(url: str) -> Settings:
    return Settings.from_env(
        {
            "PRESSONE_BASE_URL": f"{url}/pressone",
            "PRESSONE_CLIENT_ID": "sandbox",
            "PRESSONE_CLIENT_SECRET": "sandbox-secret",
        }
    )


async def iterate(url: str) -> tuple[float, float, int]:
    """Wall and CPU seconds to stream every order once through `iter_orders`, and how many."""
    seen = 0
    async with open_service(settings_for(url)) as service:
        started, cpu = time.perf_counter(), time.process_time()
        async for _ in service.iter_orders(ONLY_PRESSONE):
            seen += 1
        return time.perf_counter() - started, time.process_time() - cpu, seen


async def main(small: str, large: str, rounds: int) -> dict[str, object]:
    await iterate(small)  # warm-up: imports, first connections
    times: dict[str, list[float]] = {"small": [], "large": []}
    cpu: dict[str, list[float]] = {"small": [], "large": []}
    counts: dict[str, int] = {}
    # small, large, small, large, ..., small: each large run has a small one on either side.
    for name in ["small", *["large", "small"] * rounds]:
        elapsed, used, seen = await iterate(small if name == "small" else large)
        times[name].append(elapsed)
        cpu[name].append(used)
        counts[name] = seen
    return {"times": times, "cpu": cpu, "counts": counts, "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident memory.

    VmHWM where there is /proc: `ru_maxrss` survives exec on Linux, so a child started from a
    big parent would report the parent's peak (the benchmark runner's) instead of its own.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # macOS counts bytes


if __name__ == "__main__":
    result = anyio.run(main, sys.argv[1], sys.argv[2], int(sys.argv[3]))
    print(json.dumps(result))
