// Writes one Prisma schema per provider from schema.template.prisma (the single source of
// truth). Run with `--check` to fail when a committed schema is out of date.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const providers = ['sqlite', 'postgresql'];

// Pothos types are generated once (from the SQLite schema): the models are identical.
const pothos = `generator pothos {
  provider         = "prisma-pothos-types"
  clientOutput     = "./prisma-sqlite/client.js"
  output           = "../../src/generated/pothos-types.ts"
  generateDatamodel = true
}`;

export function renderSchema(provider) {
  const template = readFileSync(join(here, 'schema.template.prisma'), 'utf8');
  const header =
    '// GENERATED from ../schema.template.prisma by build-schemas.mjs: edit the template.\n';
  return (
    header +
    template
      .replace(/^\/\/ Single source of truth[\s\S]*?\n\n/, '')
      .replaceAll('{{provider}}', provider)
      .replace('{{pothos}}', provider === 'sqlite' ? pothos : '')
      .replace(/\n{3,}/g, '\n\n')
  );
}

export function schemaPath(provider) {
  return join(here, provider, 'schema.prisma');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  let stale = false;
  for (const provider of providers) {
    const want = renderSchema(provider);
    const path = schemaPath(provider);
    if (check) {
      let have = '';
      try {
        have = readFileSync(path, 'utf8');
      } catch {}
      if (have !== want) {
        console.error(`${path} is out of date: run node prisma/build-schemas.mjs`);
        stale = true;
      }
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, want);
    }
  }
  if (stale) process.exit(1);
}
