import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../cli/program.js';

/** Runs `crmsync <args>` in-process until `ready` sees its output, then stops it like Ctrl-C. */
async function runUntil(args: string[], env: Record<string, string>, ready: RegExp) {
  let out = '';
  let err = '';
  const { run } = buildProgram({
    env,
    io: { out: (t) => (out += t), err: (t) => (err += t), isTTY: false },
  });
  const exit = run(args);
  for (let i = 0; i < 600 && !ready.test(out); i++) {
    if (
      await Promise.race([
        exit.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 50)),
      ])
    )
      break;
  }
  return {
    output: () => out,
    errors: () => err,
    async stop() {
      process.emit('SIGINT');
      return exit;
    },
  };
}

describe('crmsync server / crmsync start', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-cli-api-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    DATABASE_URL: `file:${path.join(dir, 'crmsync.db')}`,
    CRMSYNC_API_TOKEN: 'cli-token-1',
    CRMSYNC_HOST: '0.0.0.0',
  };

  for (const command of ['server', 'start']) {
    it(`${command} serves the API on --host/--port (flags over env) with the token`, async () => {
      const proc = await runUntil(
        ['--cwd', dir, command, '--host', '127.0.0.1', '--port', '0'],
        env,
        /GraphQL API: (\S+)/,
      );
      const url = /GraphQL API: (\S+)/.exec(proc.output())?.[1];
      expect(url, proc.output() + proc.errors()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      const query = JSON.stringify({ query: '{ overview { activeRuns } }' });
      const denied = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: query,
      });
      expect(denied.status).toBe(401);
      const ok = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer cli-token-1' },
        body: query,
      });
      expect(await ok.json()).toEqual({ data: { overview: { activeRuns: expect.any(Number) } } });
      // Readiness is this process's: an API-only server with no live worker is ready, and says
      // so as a warning; `start` runs the jobs itself, so it is its own live worker.
      const ready = await fetch(url!.replace(/\/graphql$/, '/readyz'));
      const readiness = (await ready.json()) as {
        checks: Array<{ name: string; ok: boolean }>;
        warnings: Array<{ name: string; message: string }>;
      };
      expect(ready.status, JSON.stringify(readiness)).toBe(200);
      expect(readiness.checks.find((c) => c.name === 'scheduler')?.ok).toBe(true);
      expect(readiness.warnings).toEqual(
        command === 'server'
          ? [{ name: 'workers', message: expect.stringMatching(/^no live workers: /) }]
          : [],
      );
      if (command === 'start') {
        // The scheduler runs in this process: health shows it, and this process as a worker.
        const health = await fetch(url!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer cli-token-1' },
          body: JSON.stringify({
            query: '{ systemHealth { scheduler { running workers { id activeJobs } } } }',
          }),
        });
        const { data } = (await health.json()) as {
          data: { systemHealth: { scheduler: { running: boolean; workers: unknown[] } } };
        };
        expect(data.systemHealth.scheduler.running).toBe(true);
        expect(data.systemHealth.scheduler.workers.length).toBeGreaterThan(0);
      }
      expect(await proc.stop()).toBe(0);
      expect(proc.output()).toContain('stopping');
    }, 90_000);
  }

  it('refuses a bad --port naming the flag', async () => {
    const proc = await runUntil(['--cwd', dir, 'server', '--port', 'eighty'], env, /never/);
    expect(await proc.stop()).toBe(2);
    expect(proc.errors()).toMatch(/Invalid port: expected an integer from 0 to 65535/);
  });
});
