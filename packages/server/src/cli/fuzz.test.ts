import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type TestProject, testProject } from './test-project.js';

/**
 * Property-based: whatever arguments the CLI gets, in-process through buildProgram(), it ends
 * with one of its exit codes and a message — never a thrown error or a stack trace. The project
 * has no plugin, so no argument list can start a sync; `server`, `start` and `worker` (which run
 * until a signal) and the flags that move the project or database elsewhere are left out.
 */
const LONG_RUNNING = new Set(['server', 'start', 'worker']);
const RELOCATING = /^--(cwd|database|config)/;

const word = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '-', '--', '-x', '%', '__proto__', 'constructor', 'all', '💥', '\u0000'),
);
const flag = fc.constantFrom(
  '--full',
  '--force',
  '--start-date',
  '--end-date',
  '--dry-run',
  '--batch-size',
  '--max-records',
  '--json',
  '--limit',
  '--since-date',
  '--status',
  '--crm',
  '--entity',
  '--every',
  '--cron',
  '--help',
  '--since',
  '--verbose',
  '--nope',
);
const value = fc.oneof(
  word,
  fc.constantFrom('2024-02-30', '2024-01-01', '0', '-1', '1e9', 'NaN', '15m', '*/5 * * * *'),
);
const command = fc.oneof(
  fc.constantFrom(
    ['sync'],
    ['list'],
    ['history'],
    ['db', 'migrate'],
    ['db'],
    ['schedule', 'add'],
    ['schedule', 'list'],
    ['schedule', 'pause'],
    ['schedule', 'rm'],
    ['help'],
    ['--version'],
  ),
  word.map((w) => [w]),
);
const argv = fc
  .tuple(
    command,
    fc.array(
      fc.oneof(
        word,
        flag,
        fc.tuple(flag, value).map(([f, v]) => `${f}=${v}`),
        value,
      ),
      {
        maxLength: 6,
      },
    ),
  )
  .map(([cmd, rest]) => [...cmd, ...rest])
  .filter((args) => !LONG_RUNNING.has(args[0] ?? '') && !args.some((a) => RELOCATING.test(a)));

describe('arbitrary CLI arguments', () => {
  let project: TestProject;
  beforeAll(() => {
    project = testProject('crmsync-cli-fuzz-');
  });
  afterAll(() => project?.remove());

  it('end with an exit code and a message, never a crash', async () => {
    const database = `file:${path.join(project.dir, 'fuzz.db')}`;
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        const { code, err } = await runCli(['--cwd', project.dir, '--database', database, ...args]);
        expect([0, 1, 2, 3], `${JSON.stringify(args)}: ${err}`).toContain(code);
        expect(err).not.toMatch(/\n\s+at \S+ \(|Unexpected error/);
        if (code !== 0) expect(err.trim(), JSON.stringify(args)).not.toBe('');
      }),
      { numRuns: 100 },
    );
  });
});
