#!/usr/bin/env bash
# Runs every vitest project once and ends with a plain "N passed, N failed" line.
set -u
cd "$(dirname "$0")/.."
mkdir -p artifacts
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=artifacts/vitest.json "$@"
code=$?
if [ -f artifacts/vitest.json ]; then node scripts/test-summary.mjs artifacts/vitest.json || code=1; fi
exit $code
