#!/bin/sh
# Browser tests (test/browser/) drive Debian's chromium through playwright-core; they must run,
# never skip, so a machine without it gets it here: `npm test` calls this first (pretest).
# Installs the distribution's package only (never `playwright install`, which downloads its own build).
set -eu

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "chromium is not installed and this user cannot install it: run 'apt-get install -y chromium' as root" >&2
  exit 1
fi

echo "Installing Debian's chromium for the browser tests (apt-get install chromium)" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "apt-get installed chromium but 'chromium' is not on PATH" >&2; exit 1; }
echo "chromium installed: $(chromium --version 2>/dev/null || echo unknown version)" >&2
