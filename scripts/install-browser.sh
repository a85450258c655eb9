#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (tests/widgets/test_browser.py), when missing.
# Playwright drives this system browser; `playwright install` (a browser download) is never used.
# Idempotent and quiet: prints one line, or nothing to do.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-browser: need root or sudo to apt-get install chromium" >&2; exit 1; }
  as_root=(sudo)
fi

echo "install-browser: installing chromium (Debian package)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "install-browser: chromium is still missing" >&2; exit 1; }
