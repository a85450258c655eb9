#!/usr/bin/env bash
# Install the Node tools the hosted-deployment tests run (scripts/hosted-tools: oidc-provider,
# the local OpenID provider, and the MCP Inspector CLI; versions pinned in its package.json
# and package-lock.json) when missing or not the pinned ones. Uses the machine's Node
# (>= 20.19) and npm; node_modules stays git-ignored.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/hosted-tools"
installed() {
    sed -n 's/^  "version": "\(.*\)",$/\1/p' "$DIR/node_modules/$1/package.json" 2>/dev/null || true
}
wanted() {
    sed -n "s|.*\"$1\": \"\(.*\)\".*|\1|p" "$DIR/package.json"
}
if [ "$(installed oidc-provider)" = "$(wanted oidc-provider)" ] &&
    [ "$(installed @modelcontextprotocol/inspector)" = "$(wanted @modelcontextprotocol/inspector)" ]; then
    exit 0
fi
command -v npm >/dev/null || { echo "install-hosted-tools: npm is missing (apt-get install nodejs npm)" >&2; exit 2; }
echo "install-hosted-tools: installing oidc-provider and the MCP Inspector into $DIR/node_modules" >&2
npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error >&2
