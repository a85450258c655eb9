#!/usr/bin/env bash
# Run the MCP conformance suite's server scenarios against `esim-orders serve --http`.
#
# Installs Node 22 and @modelcontextprotocol/conformance with npm into .cache/conformance/
# (git-ignored by a .gitignore the script writes there), starts the server on a free loopback
# port over the embedded sandbox, runs each scenario, stops the server, and exits non-zero
# when any scenario fails.
#
#   scripts/conformance.sh                    # the scenarios below
#   scripts/conformance.sh ping tools-list    # just these
#
# Environment: PYTHON (default: the active virtualenv's python, else .venv/bin/python), CONFORMANCE_VERSION (the npm
# package version), CONFORMANCE_CACHE (install folder).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${CONFORMANCE_CACHE:-$ROOT/.cache/conformance}"
VERSION="${CONFORMANCE_VERSION:-0.1.16}"
SCENARIOS=("$@")
if [ ${#SCENARIOS[@]} -eq 0 ]; then
    SCENARIOS=(server-initialize ping tools-list tools-call-error dns-rebinding-protection)
fi
if [ -z "${PYTHON:-}" ]; then
    # The active virtual environment (CI activates its own), else the checkout's .venv.
    if [ -n "${VIRTUAL_ENV:-}" ]; then
        PYTHON=python
    elif [ -x "$ROOT/.venv/bin/python" ]; then
        PYTHON="$ROOT/.venv/bin/python"
    else
        PYTHON=python3
    fi
fi

say() { printf 'conformance: %s\n' "$*" >&2; }
started_at=$(date +%s)

# ---- install -----------------------------------------------------------------------------
mkdir -p "$CACHE"
[ -f "$CACHE/.gitignore" ] || printf '*\n' >"$CACHE/.gitignore"
SUITE="$CACHE/node_modules/@modelcontextprotocol/conformance"
installed=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$SUITE/package.json" 2>/dev/null || true)
if [ "$installed" != "$VERSION" ] || [ ! -d "$CACHE/node_modules/node" ]; then
    say "installing node@22 and @modelcontextprotocol/conformance@$VERSION into $CACHE"
    npm install --prefix "$CACHE" --no-audit --no-fund --loglevel=error \
        node@22 "@modelcontextprotocol/conformance@$VERSION" >&2
fi

# The `node` package links its binary in a preinstall script; fall back to the platform
# package it downloads if that link is missing.
NODE=""
for candidate in "$CACHE/node_modules/node/bin/node" "$CACHE"/node_modules/node/node_modules/node-*/bin/node; do
    if [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
        NODE="$candidate"
        break
    fi
done
if [ -z "$NODE" ]; then
    say "no runnable Node binary under $CACHE/node_modules/node; remove $CACHE and retry"
    exit 2
fi
major=$("$NODE" --version | sed 's/^v\([0-9]*\).*/\1/')
if [ "$major" -lt 22 ]; then
    say "the suite needs Node >= 22, found $("$NODE" --version)"
    exit 2
fi
CLI="$SUITE/dist/index.js"

# ---- server ------------------------------------------------------------------------------
SERVER_LOG="$CACHE/server.log"
: >"$SERVER_LOG"
# The sandbox, no token (the DNS-rebinding scenario speaks to a plain local server).
env -u ESIM_ORDERS_HTTP_TOKEN -u ESIM_ORDERS_ALLOWED_HOSTS \
    ESIM_ORDERS_PROVIDERS=sandbox ESIM_ORDERS_LOG_LEVEL=INFO \
    "$PYTHON" -m esim_orders serve --http --host 127.0.0.1 --port 0 2>"$SERVER_LOG" &
SERVER_PID=$!

stop_server() {
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT

URL=""
for _ in $(seq 200); do
    URL=$(sed -n 's/.*serving MCP at \(http:[^ ]*\).*/\1/p' "$SERVER_LOG" | head -n 1)
    [ -n "$URL" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        say "the server exited before serving:"
        cat "$SERVER_LOG" >&2
        exit 2
    fi
    sleep 0.1
done
if [ -z "$URL" ]; then
    say "the server did not start within 20 s:"
    cat "$SERVER_LOG" >&2
    exit 2
fi
say "server at $URL (log: $SERVER_LOG)"

# ---- scenarios ---------------------------------------------------------------------------
RESULTS="$CACHE/results"
failed=()
for scenario in "${SCENARIOS[@]}"; do
    output=$("$NODE" "$CLI" server --url "$URL" --scenario "$scenario" -o "$RESULTS" 2>&1) && rc=0 || rc=$?
    printf '%s\n' "$output"
    summary=$(printf '%s\n' "$output" | sed 's/\x1b\[[0-9;]*m//g' | grep -E '^Passed: ' | tail -n 1)
    if [ "$rc" -ne 0 ] || [[ "$summary" != *", 0 failed"* ]]; then
        failed+=("$scenario")
        printf 'FAIL %s (%s)\n' "$scenario" "${summary:-no summary, exit $rc}"
    else
        printf 'PASS %s (%s)\n' "$scenario" "$summary"
    fi
done

stop_server
trap - EXIT
elapsed=$(($(date +%s) - started_at))
if [ ${#failed[@]} -gt 0 ]; then
    say "${#failed[@]} of ${#SCENARIOS[@]} scenarios failed: ${failed[*]} (${elapsed}s)"
    exit 1
fi
say "all ${#SCENARIOS[@]} scenarios passed (${elapsed}s; results in $RESULTS)"
