#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (tests/widgets/test_browser.py), when missing.
# Playwright drives this system browser; `playwright install` (a browser download) is never used.
# Idempotent and quiet: prints one line, or nothing to do.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" chromium chromium
