#!/usr/bin/env bash
# Installs crmsync from packed tarballs into an empty project, the way an npm user would,
# and runs a sync: proves the packages carry their files, types, bin and migrations.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tarballs" "$work/project"
for pkg in core ui server plugin-faker; do
  (cd "$root/packages/$pkg" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
cd "$work/project"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz >/dev/null
node -e "import('@crmsync/server').then((m) => { if (typeof m.createCrmsync !== 'function') process.exit(1); })"
test -f node_modules/@crmsync/server/dist/index.d.ts
test -d node_modules/@crmsync/server/prisma/migrations
npx --no-install crmsync sync faker all --json > sync.json
npx --no-install crmsync history --json > history.json
node -e "
const runs = JSON.parse(require('fs').readFileSync('history.json', 'utf8'));
const entities = ['contacts', 'companies', 'deals', 'activities'];
const ok = entities.every((e) => runs.some((r) => r.crm === 'faker' && r.entity === e && r.status === 'success'));
if (!ok) { console.error('quickstart: expected a successful faker run of every entity, got', runs); process.exit(1); }
console.log('quickstart: ' + runs.length + ' successful runs from packed tarballs on ' + process.version);
"
