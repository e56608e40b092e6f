#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's Chromium through playwright-core
# (`npx playwright install` cannot download a browser on these machines).
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
chromium --version 2>/dev/null | head -n1 || true
