#!/usr/bin/env bash
# Installs a Debian package when its command is missing: `apt-install.sh COMMAND PACKAGE`.
# As root, or through sudo. Idempotent and quiet: prints one line, or nothing to do.
set -euo pipefail
command_name="$1"
package="$2"

if command -v "$command_name" >/dev/null 2>&1 || [ -x "/usr/bin/$command_name" ]; then
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "apt-install: need root or sudo to apt-get install $package" >&2; exit 1; }
  as_root=(sudo)
fi

echo "apt-install: installing $package (Debian package)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq "$package" >/dev/null
command -v "$command_name" >/dev/null 2>&1 || [ -x "/usr/bin/$command_name" ] || { echo "apt-install: $command_name is still missing" >&2; exit 1; }
