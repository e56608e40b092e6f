// Writes a new migration for both providers: the SQL that takes the schema of the latest
// migration (each migration folder keeps a copy of the schema it was made from) to the
// current schema. Usage: node prisma/diff-migration.mjs <name>
// Uses `prisma migrate diff` between two datamodels, which works offline with the JS schema
// engine; `migrate dev` and diffs from a database or from the migrations do not (Prisma 6.19
// refuses those with a driver adapter configured).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
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
// The JS schema engine connects even to diff two datamodels; any reachable database does.
const diffUrl = {
  sqlite: 'file::memory:',
  postgresql:
    process.env.MIGRATION_DIFF_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
};

for (const provider of providers) {
  const folder = join(here, 'migrations', provider);
  const existing = existsSync(folder)
    ? readdirSync(folder)
        .filter((f) => /^\d/.test(f))
        .sort()
    : [];
  const latest = existing.at(-1);
  const from =
    latest === undefined
      ? ['--from-empty']
      : ['--from-schema-datamodel', join(folder, latest, 'schema.prisma')];
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
      env: { ...process.env, CRMSYNC_PRISMA_PROVIDER: provider, DATABASE_URL: diffUrl[provider] },
    },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(result.status ?? 1);
  }
  // Tables go to the connection's search_path, not always "public".
  if (
    /^-- This is an empty migration\.\s*$/.test(result.stdout.trim()) ||
    result.stdout.trim() === ''
  ) {
    console.log(`${provider}: the schema matches the migrations; nothing to write`);
    continue;
  }
  const sql = result.stdout.replace(
    /^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/m,
    '',
  );
  const dir = join(folder, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
  copyFileSync(schemaPath(provider), join(dir, 'schema.prisma'));
  console.log(`wrote ${dir}/migration.sql`);
}
