#!/usr/bin/env bash
# Installs Debian's redis-server for the shared-state tests (tests/hosted, the Redis canary
# tests), when missing. The tests start their own redis-server on a free loopback port; the
# package's own service is not needed and is left as the package sets it up.
# Idempotent and quiet: prints one line, or nothing to do.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-redis: need root or sudo to apt-get install redis-server" >&2; exit 1; }
  as_root=(sudo)
fi

echo "install-redis: installing redis-server (Debian package)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq redis-server >/dev/null
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || { echo "install-redis: redis-server is still missing" >&2; exit 1; }
