#!/usr/bin/env bash
# Installs Debian's redis-server for the shared-state tests (tests/hosted, the Redis canary
# tests), when missing. The tests start their own redis-server on a free loopback port.
# Idempotent and quiet: prints one line, or nothing to do.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" redis-server redis-server
