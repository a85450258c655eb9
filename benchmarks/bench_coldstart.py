"""Cold start: spawn the server over stdio, initialize, list tools; against a bare MCPServer."""

from __future__ import annotations

import compileall
import json
import subprocess
import sys
import time

from .harness import ROOT, Result, at_most, interleave, median, say
from .processes import bench_env, esim_orders_command

ROUNDS = 9
PROTOCOL = "2025-11-25"


def handshake(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning `command` to the answer of `tools/list`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        hello = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": PROTOCOL,
                "capabilities": {},
                "clientInfo": {"name": "bench", "version": "1"},
            },
        }
        _send(process, hello)
        _answer(process, 1)
        _send(process, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        _send(process, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        tools = _answer(process, 2)["result"]["tools"]
        elapsed = time.perf_counter() - started
        if not tools:
            raise RuntimeError(f"{command}: no tools")
    finally:
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return elapsed


def _send(process: subprocess.Popen[bytes], message: dict[str, object]) -> None:
    assert process.stdin is not None
    process.stdin.write(json.dumps(message).encode() + b"\n")
    process.stdin.flush()


def _answer(process: subprocess.Popen[bytes], request_id: int) -> dict[str, object]:
    assert process.stdout is not None
    while True:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("server closed stdout before answering")
        message = json.loads(line)
        if message.get("id") == request_id:
            return message


def compile_bytecode() -> None:
    """Our modules' bytecode, as an installed package has it (pip compiles at install). An
    editable install run with PYTHONDONTWRITEBYTECODE set (some machines set it) never writes
    it, so every start would compile each module again and the line would time Python's
    compiler; the SDK the baseline imports is compiled by pip either way."""
    compileall.compile_dir(ROOT / "esim_orders", quiet=1)


def run() -> list[Result]:
    compile_bytecode()
    ours_env = bench_env({"ESIM_ORDERS_PROVIDERS": "sandbox"})
    ours = [*esim_orders_command(), "serve"]
    bare = [sys.executable, str(ROOT / "benchmarks" / "echo_server.py")]
    calls = {
        "ours": lambda: handshake(ours, ours_env),
        "bare": lambda: handshake(bare, bench_env()),
    }
    calls["ours"]()  # warm the page cache and bytecode files for both
    calls["bare"]()
    say(f"  cold start: {ROUNDS} interleaved spawns each")
    samples = interleave(calls, ROUNDS)
    return [
        Result.of(
            "cold start: spawn, initialize, tools/list (stdio)",
            median(samples["ours"]) * 1000,
            median(samples["bare"]) * 1000,
            "ms",
            at_most(1.5),
            f"median of {ROUNDS} spawns, interleaved; ours on the embedded sandbox; "
            "baseline a bare MCPServer with one echo tool; bytecode compiled for both",
        )
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
