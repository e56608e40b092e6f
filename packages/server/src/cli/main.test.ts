import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../../test/cli/cli-process.js';
import { type TestProject, testProject } from '../../test/cli/test-project.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

/** The real binary, as a process. */
const crmsync = spawnCli;

/** `crmsync <args>` on a pseudo-terminal (util-linux `script`), as a person at a terminal runs it. */
async function crmsyncOnTerminal(args: string[], env: Record<string, string> = {}) {
  const quote = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, '--import', 'tsx', main, ...args].map(quote).join(' ');
  const child = spawn(
    'script',
    ['--quiet', '--flush', '--return', '--command', command, '/dev/null'],
    {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
  child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, screen };
}

/** A plugin whose one entity pages slowly forever (until cancelled). */
const slowPlugin = `
export default {
  contractVersion: 1,
  name: 'slow',
  displayName: 'Slow CRM',
  kind: 'api',
  config: {},
  entities: [{
    name: 'events',
    primaryKey: 'id',
    delta: { kind: 'none' },
    fields: { id: { type: 'string', required: true } },
    async *fetch(_client, request) {
      for (let page = 0; ; page++) {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, 100);
          request.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(request.signal.reason);
          }, { once: true });
        });
        yield { records: [{ id: 'e' + page }], estimatedTotal: 1000000 };
      }
    },
  }],
  createClient: () => ({}),
};
`;

describe('crmsync as a child process', () => {
  let project: TestProject;
  beforeAll(() => {
    project = testProject('crmsync-main-');
    project.addPackage('crmsync-plugin-slow', slowPlugin);
  });
  afterAll(() => project.remove());

  it('syncs faker all, prints the summary table and exits 0; history --json shows every run', async () => {
    const sync = crmsync(['--cwd', project.dir, 'sync', 'faker', 'all'], { FAKER_SIZE: '30' });
    expect(await sync.code, sync.err()).toBe(0);
    for (const entity of ['contacts', 'companies', 'deals', 'activities'])
      expect(sync.out()).toMatch(new RegExp(`│ faker\\s+│ ${entity}\\s+│ success`));
    const history = crmsync(['--cwd', project.dir, 'history', '--crm', 'faker', '--json']);
    expect(await history.code, history.err()).toBe(0);
    const runs = JSON.parse(history.out()) as Array<{ entity: string; status: string }>;
    expect(runs.map((r) => r.entity).sort()).toEqual(
      ['activities', 'companies', 'contacts', 'deals'].sort(),
    );
    expect(runs.every((r) => r.status === 'success')).toBe(true);
  });

  it('on a terminal, draws a progress bar that is redrawn in place and ends full', async () => {
    const { code, screen } = await crmsyncOnTerminal(
      ['--cwd', project.dir, 'sync', 'faker', 'contacts', '--full', '--batch-size', '100'],
      // No simulated edits: a record edited mid-read is rightly read twice (3001 records).
      { FAKER_SIZE: '3000', FAKER_CHANGES_PER_MINUTE: '0' },
    );
    expect(code, screen).toBe(0);
    // cli-progress redraws the line from column 1 (ESC [1G) with the bar's filled and empty
    // cells; the last drawing is the complete bar.
    const drawings = screen.split('\x1b[1G').slice(1);
    expect(drawings.length, screen).toBeGreaterThan(1);
    expect(drawings[0]).toMatch(/^faker contacts \[[█░]{40}\] \d+\/3000 records/);
    expect(drawings.at(-1)).toMatch(
      /^faker contacts \[█{40}\] 3000\/3000 records \| \d+\/s \| 30 pages/,
    );
    expect(screen).toContain('faker contacts: success, 3,000 records');
    // Off a terminal the same sync prints plain lines and no bar (cli.test.ts checks those).
    const plain = crmsync(['--cwd', project.dir, 'sync', 'faker', 'contacts', '--full'], {
      FAKER_SIZE: '3000',
    });
    expect(await plain.code, plain.err()).toBe(0);
    expect(plain.err()).not.toContain('\x1b[1G');
    expect(plain.err()).not.toContain('█');
  });

  it('exits 2 and names the replacement of a removed flag', async () => {
    const r = crmsync(['--cwd', project.dir, 'sync', 'faker', 'all', '--since=2025-01-01']);
    expect(await r.code).toBe(2);
    expect(r.err()).toContain('--since was removed: use --start-date instead');
  });

  it('Ctrl+C cancels the run: it is finished as failed "cancelled" and the process exits 1', async () => {
    const sync = crmsync(['--cwd', project.dir, 'sync', 'slow', 'events']);
    for (let i = 0; i < 200 && !/slow events: \d+ of/.test(sync.err()); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(sync.err()).toMatch(/slow events: \d+ of 1,000,000 records/);
    sync.kill('SIGINT');
    expect(await sync.code, sync.err()).toBe(1);
    expect(sync.out()).toMatch(/│ slow\s+│ events\s+│ failed/);
    expect(sync.out()).toContain('slow events: cancelled: interrupted by the user (Ctrl+C)');
    const history = crmsync(['--cwd', project.dir, 'history', '--crm', 'slow', '--json']);
    expect(await history.code).toBe(0);
    const [run] = JSON.parse(history.out()) as Array<{
      status: string;
      errorMessage: string;
      counts: { processed: number };
    }>;
    expect(run?.status).toBe('failed');
    expect(run?.errorMessage).toMatch(/cancelled: interrupted by the user/);
    expect(run?.counts.processed).toBeGreaterThan(0);
  });
});
