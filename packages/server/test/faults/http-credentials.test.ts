import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '@crmsync/core';
import { fakerPlugin } from '@crmsync/plugin-faker';
import { afterAll, describe, expect, it } from 'vitest';
import { createCrmsync } from '../../src/app.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const SECRET = 'pw-4d9f-hunter2';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** The real CLI as a process; resolves with its exit code and everything it printed. */
function crmsync(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, err })),
  );
}

describe('credentials inside a CRM base URL', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-fault-credentials-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appear in no history row, no CLI output and no run event when the CRM refuses the connection; sync all stops at once', async () => {
    const env = {
      FAKER_BASE_URL: `http://crm-user:${SECRET}@127.0.0.1:${await closedPort()}`,
      FAKER_TOKEN: 'a-token-that-is-not-the-password',
      FAKER_BACKOFF_MS: '1',
    };
    const cli = await crmsync(['--cwd', dir, 'sync', 'faker', 'all'], env);
    expect(cli.code).toBe(1);
    expect(cli.err + cli.out).toMatch(/faker \w+: network error: .*ECONNREFUSED/);
    expect(cli.err + cli.out).not.toContain(SECRET);

    const app = await createCrmsync({
      cwd: dir,
      plugins: [fakerPlugin],
      env,
      log: { sink: () => {} },
    });
    try {
      const events: RunEvent[] = [];
      const runs = await app.sync('faker', 'all', {}, { onEvent: (e) => events.push(e) });
      // One failed run for the CRM, not one per entity: the others would fail alike.
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: 'failed', errorKind: 'transient' });
      expect(runs[0]?.errorMessage).toMatch(
        /^faker \w+: network error: .*ECONNREFUSED.*http:\/\/\*\*\*@127\.0\.0\.1.*; sync all stopped: 3 more entities of faker not attempted \(/,
      );
      expect(events.length).toBeGreaterThan(0);
      expect(JSON.stringify(events)).not.toContain(SECRET);
      const history = await app.history({ crm: 'faker' });
      expect(history.map((r) => r.status)).toEqual(['failed', 'failed']);
      expect(JSON.stringify(history)).not.toContain(SECRET);
    } finally {
      await app.close();
    }
    // The CLI starts through tsx: on a loaded machine that alone can take many seconds.
  }, 90_000);
});
