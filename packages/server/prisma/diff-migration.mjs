// Writes a new migration for both providers: the SQL that takes the schema the committed
// migrations build to the current schema. Usage: node prisma/diff-migration.mjs <name>
// (the first migration was made with --from-empty; later ones diff from the migrations).
// Uses `prisma migrate diff`, which works offline with the JS schema engine; `migrate dev`
// does not.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { providers, schemaPath } from './build-schemas.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: node prisma/diff-migration.mjs <snake_case_name>');
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const shadowUrl = {
  sqlite: 'file::memory:',
  // The JS schema engine connects even to diff; any reachable database does.
  postgresql: process.env.SHADOW_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
};

for (const provider of providers) {
  const folder = join(here, 'migrations', provider);
  const existing = existsSync(folder) ? readdirSync(folder).filter((f) => /^\d/.test(f)) : [];
  const from =
    existing.length === 0
      ? ['--from-empty']
      : ['--from-migrations', folder, '--shadow-database-url', shadowUrl[provider]];
  const result = spawnSync(
    process.execPath,
    [
      prismaCli,
      'migrate',
      'diff',
      ...from,
      '--to-schema-datamodel',
      schemaPath(provider),
      '--script',
    ],
    {
      cwd: join(here, '..'),
      encoding: 'utf8',
      env: { ...process.env, CRMSYNC_PRISMA_PROVIDER: provider, DATABASE_URL: shadowUrl[provider] },
    },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(result.status ?? 1);
  }
  // Tables go to the connection's search_path, not always "public".
  const sql = result.stdout.replace(
    /^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/m,
    '',
  );
  const dir = join(folder, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
  console.log(`wrote ${dir}/migration.sql`);
}
