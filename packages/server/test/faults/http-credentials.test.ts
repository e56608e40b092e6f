import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunEvent } from '@crmsync/core';
import { fakerPlugin } from '@crmsync/plugin-faker';
import { afterAll, describe, expect, it } from 'vitest';
import { createCrmsync } from '../../src/app.js';
import { spawnCli } from '../cli/cli-process.js';

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
async function crmsync(args: string[], env: Record<string, string>) {
  const cli = spawnCli(args, env);
  const code = await cli.code;
  return { code, out: cli.out(), err: cli.err() };
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
      const history = await app.history({ crmSource: 'faker' });
      expect(history.map((r) => r.status)).toEqual(['failed', 'failed']);
      expect(JSON.stringify(history)).not.toContain(SECRET);
    } finally {
      await app.close();
    }
    // The CLI starts through tsx: on a loaded machine that alone can take many seconds.
  }, 90_000);
});
