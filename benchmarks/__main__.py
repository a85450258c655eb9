"""Run every benchmark, print the table, write benchmarks/results.json.

    python -m benchmarks                 # everything, a few minutes
    python -m benchmarks --only scale    # modules whose name contains a word (not saved)
    python -m benchmarks --markdown      # the last results.json as a Markdown table
    python -m benchmarks --check         # exit 1 when a line misses its target

Every ratio compares ours with a baseline measured in the same run, interleaved, so a noisy
machine moves both sides alike; absolute numbers only mean something next to each other.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from esim_orders.server.run import settle_heap

from .harness import ROOT, Result, machine, say

RESULTS = ROOT / "benchmarks" / "results.json"
# Cheap and in-process first; the network and process-heavy ones after.
MODULES = (
    "bench_size",
    "bench_requests",
    "bench_esims",
    "bench_coldstart",
    "bench_latency",
    "bench_pages",
    "bench_throughput",
    "bench_scale",
    "bench_hosted",
)
COLUMNS = ("name", "ours", "baseline", "unit", "ratio", "target", "meets")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--only", action="append", help="run modules whose name contains this")
    parser.add_argument("--markdown", action="store_true", help="print results.json as Markdown")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--output",
        type=Path,
        help=f"where to write the JSON; default {RESULTS.relative_to(ROOT)}, except with --only",
    )
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads((args.output or RESULTS).read_text())))
        return 0
    # A partial run must not replace the full results the README shows.
    output = args.output or (None if args.only else RESULTS)
    modules = [m for m in MODULES if not args.only or any(word in m for word in args.only)]
    report: dict[str, Any] = {"machine": machine(), "results": []}
    results: list[Result] = []
    crashed: list[str] = []
    started = time.perf_counter()
    for name in modules:
        say(f"{name} ...")
        began = time.perf_counter()
        # Each module starts as a serving process does (`settle_heap`): what the modules
        # before it left alive is out of the garbage collector's view, and what they left
        # as garbage is freed first (a server has none of that to free at start).
        gc.collect()
        settle_heap()
        try:
            results += importlib.import_module(f"benchmarks.{name}").run()
        except Exception:
            crashed.append(name)
            say(traceback.format_exc())
        say(f"{name}: {time.perf_counter() - began:.0f} s")
    report["machine"]["suite_seconds"] = round(time.perf_counter() - started)
    report["results"] = [r.as_json() for r in results]
    print(table(report["results"]))
    met = sum(r.meets for r in results)
    where = "not written (--only; give --output to keep it)"
    if output is not None:
        output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        where = f"written to {_shown(output)}"
    print(f"\n{met} of {len(results)} meet their targets; {where}")
    if crashed:
        print(f"crashed: {', '.join(crashed)}", file=sys.stderr)
        return 1
    return 1 if args.check and met < len(results) else 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _cells(row: dict[str, Any]) -> list[str]:
    return [
        row["name"],
        number(row["ours"]),
        number(row["baseline"]),
        row["unit"],
        f"{row['ratio']:#.3g}",
        row["target"],
        "yes" if row["meets"] else "NO",
    ]


def table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table for a terminal."""
    lines = [list(COLUMNS), *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    right = {1, 2, 4}
    out = []
    for n, line in enumerate(lines):
        out.append(
            "  ".join(
                cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                for i, cell in enumerate(line)
            ).rstrip()
        )
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown(report: dict[str, Any]) -> str:
    """The README's table: the results and the machine they came from."""
    m = report["machine"]
    lines = [
        "| what | ours | baseline | unit | ratio | target | meets |",
        "|---|---:|---:|---|---:|---|---|",
    ]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in report["results"]]
    load = m.get("load_average_at_start")
    where = (
        f"{m['when']}, {m['cpu']} ({m['cpus']} CPUs), {m['memory_gb']} GB, "
        f"Python {m['python']} on {m['platform']}"
        + (f", load average {load[0]} at start" if load else "")
        + (f"; the suite took {m['suite_seconds']} s" if "suite_seconds" in m else "")
    )
    return "\n".join([*lines, "", f"Measured {where}."])


if __name__ == "__main__":
    sys.exit(main())
