// Generates both Prisma clients (src/generated/prisma-sqlite and prisma-postgresql) and the
// Pothos types, after checking the committed schemas match schema.template.prisma.
// The schemas read DATABASE_URL only to validate its scheme; generation never connects, so
// each provider gets a placeholder URL of its own scheme here.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { providers, renderSchema, schemaPath } from './build-schemas.mjs';
import { readFileSync } from 'node:fs';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const placeholderUrl = {
  sqlite: 'file:./.crmsync/crmsync.db',
  postgresql: 'postgresql://localhost:5432/crmsync',
};

for (const provider of providers) {
  if (readFileSync(schemaPath(provider), 'utf8') !== renderSchema(provider)) {
    console.error(`${schemaPath(provider)} is out of date: run node prisma/build-schemas.mjs`);
    process.exit(1);
  }
}

const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
for (const provider of providers) {
  const result = spawnSync(
    process.execPath,
    [prismaCli, 'generate', '--schema', schemaPath(provider)],
    {
      cwd: packageDir,
      stdio: 'inherit',
      env: {
        ...process.env,
        // The Pothos generator is a bin of @pothos/plugin-prisma.
        PATH: [join(packageDir, 'node_modules', '.bin'), process.env.PATH].join(delimiter),
        CRMSYNC_PRISMA_PROVIDER: provider,
        DATABASE_URL: placeholderUrl[provider],
      },
    },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
