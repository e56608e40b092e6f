import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The layering rules live in biome.json (ARCHITECTURE.md: imports point one way). This plants
// one forbidden import per rule, plus imports that must stay allowed, in a scratch copy of the
// repo's layout, and runs the repo's biome with the repo's biome.json over it.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIOME = path.join(ROOT, 'node_modules', '.bin', 'biome');

const RESTRICTED = 'lint/style/noRestrictedImports';
const CYCLE = 'lint/suspicious/noImportCycles';

/** path → [source, the rule biome must report for it, or null when it must stay clean]. */
const PLANTED: Record<string, [string, string | null]> = {
  'packages/core/src/uses-server.ts': [
    "export { createCrmsync } from '@crmsync/server';",
    RESTRICTED,
  ],
  'packages/core/src/uses-plugin.ts': [
    "export { fakerPlugin } from '@crmsync/plugin-faker';",
    RESTRICTED,
  ],
  'packages/core/src/uses-pg.ts': ["export { Pool } from 'pg';", RESTRICTED],
  'packages/core/src/uses-prisma.ts': [
    "export { PrismaClient } from '@prisma/client';",
    RESTRICTED,
  ],
  'packages/core/src/uses-sqlite.ts': ["export { default } from 'better-sqlite3';", RESTRICTED],
  'packages/core/src/uses-mysql.ts': ["export { createPool } from 'mysql2/promise';", RESTRICTED],
  'packages/core/src/uses-zod.ts': ["export { z } from 'zod';", null],
  'packages/plugin-acme/src/uses-server.ts': [
    "export type { Crmsync } from '@crmsync/server';",
    RESTRICTED,
  ],
  'packages/plugin-acme/src/uses-core.ts': ["export { InputError } from '@crmsync/core';", null],
  'examples/custom-plugin/src/uses-server.ts': [
    "export { createCrmsync } from '@crmsync/server';",
    RESTRICTED,
  ],
  'packages/ui/src/lib/uses-server.ts': [
    "export { createCrmsync } from '@crmsync/server';",
    RESTRICTED,
  ],
  'packages/ui/src/lib/uses-server-src.ts': [
    "export { createCrmsync } from '../../../server/src/app.js';",
    RESTRICTED,
  ],
  'packages/server/src/app.ts': [
    "export { fakerPlugin } from '@crmsync/plugin-faker';",
    RESTRICTED,
  ],
  'packages/server/src/app.test.ts': ["export { fakerPlugin } from '@crmsync/plugin-faker';", null],
  'packages/server/src/api/server.ts': ['export const api = 1;', null],
  'packages/server/src/cli/uses-api.ts': ["export { api } from '../api/server.js';", null],
  'packages/server/src/scheduler/uses-api.ts': [
    "export { api } from '../api/server.js';",
    RESTRICTED,
  ],
  'packages/server/src/scheduler/uses-api.test.ts': [
    "export { api } from '../api/server.js';",
    RESTRICTED,
  ],
  'packages/server/src/dashboard/uses-api.ts': [
    "export type { api } from '../api/server.js';",
    RESTRICTED,
  ],
  'packages/server/src/store/uses-api.ts': ["export { api } from '../api/server.js';", RESTRICTED],
  'packages/server/src/store/uses-events.ts': ["export { b } from '../events/b.js';", null],
  // A cycle closed by a type-only import still counts: it is a tangle all the same.
  'packages/server/src/events/a.ts': [
    "import type { b } from './b.js';\nexport const a: typeof b = 1;",
    CYCLE,
  ],
  'packages/server/src/events/b.ts': ["export { a as b } from './a.js';", CYCLE],
};

let dir: string;
let reported: Array<{ path: string; rule: string }>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'crmsync-layering-'));
  copyFileSync(path.join(ROOT, 'biome.json'), path.join(dir, 'biome.json'));
  for (const [file, [source]] of Object.entries(PLANTED)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), `${source}\n`);
  }
  const stdout = await new Promise<string>((resolve) => {
    // biome exits 1 when it reports: the report itself is what is checked.
    execFile(
      BIOME,
      ['lint', '--reporter=json', '--colors=off', '--max-diagnostics=none', '.'],
      { cwd: dir },
      (_error, out) => resolve(out),
    );
  });
  const json = stdout.split('\n').find((line) => line.startsWith('{')) ?? '{}';
  const report = JSON.parse(json) as {
    diagnostics?: Array<{ category: string; location: { path: string } }>;
  };
  reported = (report.diagnostics ?? []).map((d) => ({
    path: d.location.path,
    rule: d.category,
  }));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the layering lint (biome.json)', () => {
  it('reports every planted forbidden import and cycle, and nothing that is allowed', () => {
    const expected = Object.entries(PLANTED)
      .filter(([, [, rule]]) => rule !== null)
      .map(([file, [, rule]]) => ({ path: file, rule: rule as string }));
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    expect(reported.sort(byPath)).toEqual(expected.sort(byPath));
  });
});
