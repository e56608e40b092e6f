import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FakeHubspotHandle, startFakeHubspot } from '@crmsync/plugin-hubspot/fake-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../../test/cli/cli-process.js';

// Issue 28: `crmsync --help`, `list`, `history` and `sync` start without loading Prisma (its
// client and the generated clients cost ~2 s of a cold start here), even though the store
// offers the Prisma-backed write-back capabilities. Checked at the Node level: a module hook in
// the real binary's process writes every module URL it resolves to a file, and the test reads
// which were loaded. `schedule list`, which does use Prisma, is the control that the hook sees
// Prisma when it is loaded.
const PRISMA = /@prisma[/+]client|\/generated\/prisma-(sqlite|postgresql)\//;

describe('the modules a CLI command loads', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-cold-'));
  const register = path.join(dir, 'register.mjs');
  let hs: FakeHubspotHandle;
  let env: Record<string, string>;
  let n = 0;

  /** Runs `crmsync --cwd dir <args>` as a process; its exit code and the URLs it resolved. */
  async function loaded(args: string[]) {
    const log = path.join(dir, `loaded-${n++}.txt`);
    writeFileSync(log, '');
    const child = spawnCli(['--cwd', dir, ...args], {
      ...env,
      NODE_OPTIONS: `--import ${register}`,
      CRMSYNC_TEST_LOADED_LOG: log,
    });
    const code = await child.code;
    const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    return {
      code,
      out: child.out(),
      err: child.err(),
      urls,
      prisma: urls.filter((u) => PRISMA.test(u)),
    };
  }

  beforeAll(async () => {
    writeFileSync(
      path.join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
const log = process.env.CRMSYNC_TEST_LOADED_LOG;
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (log) appendFileSync(log, result.url + '\\n');
  return result;
}
`,
    );
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
    );
    hs = await startFakeHubspot({ counts: { contacts: 30 }, rateLimit: null });
    env = { HUBSPOT_ACCESS_TOKEN: hs.fake.accessToken, HUBSPOT_BASE_URL: hs.baseUrl };
  });
  afterAll(async () => {
    await hs?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--help, list, sync and history never load Prisma; schedule list does', async () => {
    const help = await loaded(['--help']);
    expect(help.code, help.err).toBe(0);
    expect(
      help.urls.some((u) => u.includes('/cli/program.')),
      'the hook saw the CLI',
    ).toBe(true);
    expect(help.prisma).toEqual([]);

    const sync = await loaded(['sync', 'hubspot', 'contacts', '--json']);
    expect(sync.code, sync.err).toBe(0);
    expect(sync.urls.some((u) => u.includes('plugin-hubspot'))).toBe(true);
    expect(sync.prisma).toEqual([]);

    const [list, history, schedules] = await Promise.all([
      loaded(['list']),
      loaded(['history']),
      loaded(['schedule', 'list']),
    ]);
    expect(list.code, list.err).toBe(0);
    expect(list.prisma).toEqual([]);
    expect(history.code, history.err).toBe(0);
    expect(history.prisma).toEqual([]);
    // the run the sync wrote, read through the driver
    expect(history.out).toMatch(/hubspot/);
    expect(schedules.code, schedules.err).toBe(0);
    expect(schedules.prisma.length).toBeGreaterThan(0);
  }, 240_000);
});
