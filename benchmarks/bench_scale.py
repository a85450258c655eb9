"""Iterating 100,000 sandbox orders through the client against 10,000: time and peak memory.

Both sandboxes run in processes of their own, and so does the client (`scale_client.py`):
its peak RSS (VmHWM, interpreter and imports included) is the client's alone.

PressOne's orders are the ones iterated: PressOne pages its list, so `iter_orders` streams it
a few pages at a time. Zim answers its whole list in one JSON array, which the client's 20 MB
body cap bounds at roughly 16,000 orders; iterating 100,000 Zim orders needs Zim to page.
"""

from __future__ import annotations

import json
import subprocess
import sys

from .harness import ROOT, Result, at_most, median, say, within
from .processes import SandboxProcess, bench_env

SMALL, LARGE = 10_000, 100_000
ROUNDS = 5
MEMORY_BUDGET_MB = 200


def run() -> list[Result]:
    say(f"  scale: generating sandboxes of {SMALL:,} and {LARGE:,} orders")
    with SandboxProcess(orders=SMALL) as small, SandboxProcess(orders=LARGE) as large:
        say(f"  scale: {ROUNDS} interleaved iterations of each, client in its own process")
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.scale_client", small.url, large.url, str(ROUNDS)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=bench_env(),
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"scale client failed:\n{done.stderr}")
    answer = json.loads(done.stdout)
    counts = answer["counts"]
    if counts != {"small": SMALL, "large": LARGE}:
        raise RuntimeError(f"expected {SMALL} and {LARGE} orders, iterated {counts}")
    small_s = median(answer["times"]["small"])
    large_s = median(answer["times"]["large"])
    cpu_ratio = median(answer["cpu"]["large"]) / median(answer["cpu"]["small"])
    peak = answer["peak_rss_mb"]
    return [
        Result.of(
            f"iterating {LARGE:,} orders against {SMALL:,}: time",
            large_s,
            small_s,
            "s",
            within(10, 0.2),
            f"service.iter_orders over PressOne's pages, sandboxes and client in separate "
            f"processes; wall time, medians of {ROUNDS} large runs and the {ROUNDS + 1} small "
            f"runs around them; {LARGE / large_s:,.0f} orders/s at {LARGE:,}, "
            f"{SMALL / small_s:,.0f} at {SMALL:,}; the client's CPU time scales {cpu_ratio:.1f}x",
        ),
        Result.of(
            f"iterating {LARGE:,} orders: client peak memory",
            peak,
            MEMORY_BUDGET_MB,
            "MB",
            at_most(1),
            "peak RSS of the client process (VmHWM: interpreter and imports included), "
            "sandboxes in processes of their own",
        ),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
