#!/usr/bin/env bash
# Proves the published packages work for an npm user: packs @crmsync/core, @crmsync/server,
# @crmsync/plugin-faker (and any other workspace package they depend on) with `pnpm pack`,
# installs the tarballs into a fresh project with npm (no workspace links), then runs the
# `crmsync` bin (sync, history, bad usage, and `start` as the README's first command runs it)
# and the programmatic API there. Exits non-zero when anything is missing:
# files, types, the bin, the migrations.
#
# Run from anywhere after `pnpm build`:  bash examples/quickstart/verify.sh
# KEEP=1 keeps the temp folder for a look afterwards.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
example="$repo/examples/quickstart"
work="$(mktemp -d "${TMPDIR:-/tmp}/crmsync-quickstart-XXXXXX")"
if [[ "${KEEP:-}" == "1" ]]; then
  echo "keeping $work"
else
  trap 'rm -rf "$work"' EXIT
fi
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'verify: FAILED: %s\n' "$*" >&2; exit 1; }

for pkg in core server plugin-faker; do
  [[ -f "$repo/packages/$pkg/dist/index.js" ]] || fail "packages/$pkg/dist is missing: run pnpm build first"
done

# The packages to pack: server and plugin-faker, and every @crmsync/* package they depend on
# (pnpm pack turns workspace:^ into a plain version, which npm would otherwise look up on the
# registry, so every one of them has to be given to npm install together).
mapfile -t packages < <(node --input-type=module - "$repo" <<'EOF'
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
const repo = process.argv[2];
const dirs = new Map();
for (const d of readdirSync(join(repo, 'packages'))) {
  const file = join(repo, 'packages', d, 'package.json');
  if (existsSync(file)) dirs.set(JSON.parse(readFileSync(file, 'utf8')).name, join(repo, 'packages', d));
}
const todo = ['@crmsync/server', '@crmsync/plugin-faker'];
const out = new Set();
while (todo.length) {
  const name = todo.pop();
  if (out.has(name)) continue;
  if (!dirs.has(name)) throw new Error(`${name} is not a workspace package`);
  out.add(name);
  const manifest = JSON.parse(readFileSync(join(dirs.get(name), 'package.json'), 'utf8'));
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }))
    if (dep.startsWith('@crmsync/')) todo.push(dep);
}
for (const name of out) console.log(dirs.get(name));
EOF
)

step "pnpm pack ${packages[*]##*/}"
mkdir -p "$work/packs"
for dir in "${packages[@]}"; do
  (cd "$dir" && pnpm pack --pack-destination "$work/packs" >/dev/null)
done
ls -1 "$work/packs"

step "npm install the tarballs into a fresh project"
mkdir -p "$work/project"
# The example's package.json names its deps as workspace:* (it is a workspace member here);
# an npm user's project starts from a plain one and npm install adds the packages.
cp "$example/sync.mjs" "$work/project/"
cd "$work/project"
printf '{ "name": "quickstart-check", "private": true, "type": "module" }\n' >package.json
npm install --no-audit --no-fund --loglevel=error "$work/packs"/*.tgz

# Files an npm user relies on: compiled code, types, the bin, the migrations.
for file in \
  node_modules/@crmsync/core/dist/index.d.ts \
  node_modules/@crmsync/server/dist/index.d.ts \
  node_modules/@crmsync/server/dist/cli/main.js \
  node_modules/@crmsync/plugin-faker/dist/index.d.ts \
  node_modules/.bin/crmsync; do
  [[ -e "$file" ]] || fail "$file is not in the installed packages"
done
find node_modules/@crmsync/server/prisma -name 'migration.sql' | grep -q . ||
  fail "@crmsync/server carries no migrations"

# A clean environment: the embedded SQLite database under ./.crmsync/, no stray settings.
unset DATABASE_URL FAKER_BASE_URL CRMSYNC_API_TOKEN || true

step "npx crmsync list"
npx --no-install crmsync list

step "npx crmsync sync faker all"
code=0
npx --no-install crmsync sync faker all || code=$?
[[ $code -eq 0 ]] || fail "crmsync sync faker all exited $code"

[[ -s .crmsync/crmsync.db ]] || fail "no DATABASE_URL, yet the sync wrote no ./.crmsync/crmsync.db"

step "npx crmsync history --json"
npx --no-install crmsync list --json >list.json
npx --no-install crmsync history --json --limit 100 >history.json
node --input-type=module - <<'EOF'
import { readFileSync } from 'node:fs';
const plugins = JSON.parse(readFileSync('list.json', 'utf8'));
const runs = JSON.parse(readFileSync('history.json', 'utf8'));
const faker = plugins.find((p) => p.name === 'faker');
if (!faker) throw new Error('the faker plugin was not discovered');
const missing = faker.entities
  .map((e) => e.name)
  .filter((entity) => !runs.some((r) => r.crm === 'faker' && r.entity === entity && r.status === 'success'));
if (missing.length) {
  console.error(JSON.stringify(runs, null, 2));
  throw new Error(`no successful run of faker ${missing.join(', ')}`);
}
console.log(`success rows for faker ${faker.entities.map((e) => e.name).join(', ')}`);
EOF

step "the programmatic API (node sync.mjs)"
node sync.mjs

step "bad usage exits 2"
code=0
npx --no-install crmsync sync faker all --since 2025-01-01 2>err.txt || code=$?
[[ $code -eq 2 ]] || fail "a removed flag exited $code, expected 2"
grep -q -- '--start-date' err.txt || fail "the removed --since flag did not name --start-date"

step "a .ts config without tsx installed says what to do"
echo 'export default { disable: [] };' >crmsync.config.ts
code=0
npx --no-install crmsync list 2>err.txt || code=$?
[[ $code -eq 2 ]] || fail "a .ts config without tsx exited $code, expected 2"
grep -q 'use crmsync.config.js' err.txt || fail "the .ts config error did not suggest .js/.json: $(cat err.txt)"
rm crmsync.config.ts

step "npx crmsync start in an empty folder: what the README's first command does"
# `pnpm start` in the repo is `crmsync start` there. In a folder with no database it must
# create ./.crmsync/crmsync.db, serve the API and the dashboard, and sync the faker demo CRM
# on its own, so the dashboard has data; Ctrl-C (SIGINT) stops it with exit code 0.
mkdir -p "$work/fresh"
# The installed bin itself, not through npx: npm exec does not pass Ctrl-C on to it.
(cd "$work/fresh" && exec "$work/project/node_modules/.bin/crmsync" start --port 0) \
  >"$work/start.out" 2>"$work/start.err" &
start_pid=$!
stop_start() { kill -INT "$start_pid" 2>/dev/null || true; }
url=""
for _ in $(seq 1 120); do
  url="$(sed -n 's/^  GraphQL API: \(http[^ ]*\).*/\1/p' "$work/start.out")"
  [[ -n "$url" ]] && break
  kill -0 "$start_pid" 2>/dev/null || fail "crmsync start exited: $(cat "$work/start.err")"
  sleep 0.5
done
[[ -n "$url" ]] || { stop_start; fail "crmsync start printed no API address in 60 s"; }
grep -q 'first start: syncing the faker demo CRM' "$work/start.out" ||
  { stop_start; fail "crmsync start did not sync the demo CRM: $(cat "$work/start.out")"; }
[[ -s "$work/fresh/.crmsync/crmsync.db" ]] || { stop_start; fail "crmsync start made no ./.crmsync/crmsync.db"; }
code=0
node --input-type=module - "$url" <<'EOF' || code=$?
const url = process.argv[2];
const post = async (query) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};
const deadline = Date.now() + 120_000;
for (;;) {
  const { runs } = await post('{ runs(filter: { crm: "faker" }, first: 50) { edges { node { syncType status } } } }');
  const nodes = runs.edges.map((e) => e.node);
  const done = nodes.filter((r) => r.status !== 'running');
  if (done.length >= 4 && done.every((r) => r.status === 'success')) {
    console.log(`demo sync: ${done.map((r) => `${r.syncType} ${r.status}`).join(', ')}`);
    break;
  }
  if (done.some((r) => r.status === 'failed')) throw new Error(`a demo run failed: ${JSON.stringify(nodes)}`);
  if (Date.now() > deadline) throw new Error(`the demo sync did not finish in 120 s: ${JSON.stringify(nodes)}`);
  await new Promise((r) => setTimeout(r, 500));
}
const page = await fetch(new URL('/', url));
const html = await page.text();
if (page.status !== 200 || !html.includes('<html')) throw new Error(`the dashboard at / answered ${page.status}`);
console.log('dashboard: served at /');
EOF
[[ $code -eq 0 ]] || { stop_start; fail "crmsync start: $(cat "$work/start.err")"; }
stop_start
code=0
wait "$start_pid" || code=$?
[[ $code -eq 0 ]] || fail "crmsync start exited $code on SIGINT: $(cat "$work/start.err")"

printf '\nverify: OK — the packed packages install with npm, sync and start\n'
