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
// `list` loads every installed plugin to describe it; a plugin's SDK is loaded only when its
// client is made or a request is sent, so `list` and a sync of another CRM never load these.
const SDKS = /\/node_modules\/(soap|undici|saxes|jose|@aws-sdk\/client-athena|@faker-js\/faker)\//;

describe('the modules a CLI command loads', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-cold-'));
  const register = path.join(dir, 'register.mjs');
  let hs: FakeHubspotHandle;
  let env: Record<string, string>;
  let n = 0;

  /** Runs `crmsync --cwd dir <args>` as a process; its exit code and the URLs it loaded. */
  async function loaded(args: string[], extraEnv: Record<string, string> = {}) {
    const log = path.join(dir, `loaded-${n++}.txt`);
    writeFileSync(log, '');
    const child = spawnCli(['--cwd', dir, ...args], {
      ...env,
      ...extraEnv,
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
      /** The SDKs among them, by package name. */
      sdks: [...new Set(urls.map((u) => SDKS.exec(u)?.[1]).filter((p) => p !== undefined))].sort(),
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
    // On Node 20 `require()` (of CommonJS, or of an ES module) does not pass the resolve hook:
    // what it loaded is read from the require cache as the process exits.
    writeFileSync(
      register,
      `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
register('./hooks.mjs', import.meta.url);
const log = process.env.CRMSYNC_TEST_LOADED_LOG;
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  if (log) appendFileSync(log, Object.keys(cache).map((f) => pathToFileURL(f).href + '\\n').join(''));
});
`,
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

  it("list and a sync of one CRM load no other plugin's SDK; a faker sync loads faker", async () => {
    const [list, faker] = await Promise.all([
      loaded(['list']),
      loaded(['sync', 'faker', 'contacts', '--json'], { FAKER_SIZE: '20' }),
    ]);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/five9/);
    expect(list.out).toMatch(/salespro/);
    expect(list.sdks).toEqual([]);
    expect(faker.code, faker.err).toBe(0);
    // The control too: the log sees faker, loaded by require(), and undici, which the core
    // HTTP client imports on its first request.
    expect(faker.sdks).toEqual(['@faker-js/faker', 'undici']);
  }, 240_000);
});
