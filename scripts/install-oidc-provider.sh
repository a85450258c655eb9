#!/usr/bin/env bash
# Install the local OpenID provider the OAuth tests start (scripts/oidc-provider: oidc-provider
# from npm, the version pinned in its package.json and package-lock.json) when it is missing.
# Uses the machine's Node (>= 20.19) and npm; node_modules stays git-ignored.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/oidc-provider"
want=$(sed -n 's/.*"oidc-provider": "\(.*\)".*/\1/p' "$DIR/package.json")
have=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$DIR/node_modules/oidc-provider/package.json" 2>/dev/null || true)
if [ "$have" = "$want" ]; then
    exit 0
fi
command -v npm >/dev/null || { echo "install-oidc-provider: npm is missing (apt-get install nodejs npm)" >&2; exit 2; }
echo "install-oidc-provider: installing oidc-provider@$want into $DIR/node_modules" >&2
npm ci --prefix "$DIR" --no-audit --no-fund --loglevel=error >&2
