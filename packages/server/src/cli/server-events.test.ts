import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

// `crmsync server` with workers elsewhere: a sync running in another process publishes its
// events over Redis, and a graphql-ws subscriber of the server receives them.
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const CHILD = fileURLToPath(
  new URL('../../test/scheduler/run-event-bridge.child.ts', import.meta.url),
);
const REDIS_URL = process.env.CRMSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisProblem(): Promise<string | null> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return `Redis at ${REDIS_URL} is unreachable (${(error as Error).message})`;
  } finally {
    client.disconnect();
  }
}
const problem = await redisProblem();
if (problem && process.env.CI === 'true') throw new Error(`CI=true but ${problem}`);
if (problem) console.warn(`skipping the server/worker event test: ${problem}`);

describe.skipIf(problem !== null)(
  'crmsync server receives live events from other processes',
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-server-events-'));
    const channel = `crmsync_test_srv_${randomBytes(5).toString('hex')}`;
    let server: ChildProcess;
    let url = '';

    beforeAll(async () => {
      server = spawn(process.execPath, ['--import', 'tsx', MAIN, 'server', '--port', '0'], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: {
          ...process.env,
          DATABASE_URL: `file:${path.join(dir, 'crmsync.db')}`,
          CRMSYNC_EVENTS_URL: REDIS_URL,
          CRMSYNC_EVENTS_CHANNEL: channel,
          CRMSYNC_API_TOKEN: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no URL from crmsync server:\n${out}`)),
          60_000,
        );
        const onData = (c: Buffer) => {
          out += c.toString();
          const match = /ws:\/\/127\.0\.0\.1:(\d+)\/graphql/.exec(out);
          if (match && out.includes('live events from workers over redis')) {
            clearTimeout(timer);
            resolve(match[0]);
          }
        };
        server.stdout?.on('data', onData);
        server.stderr?.on('data', onData);
        server.once('exit', (code) => reject(new Error(`crmsync server exited ${code}:\n${out}`)));
      });
    }, 90_000);

    afterAll(async () => {
      if (server && server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('delivers progress and the finish of a run executed elsewhere to a subscription', async () => {
      const client = createClient({ url, webSocketImpl: WebSocket, lazy: false });
      const progress: number[] = [];
      let finishedStatus = '';
      const finished = new Promise<void>((resolve, reject) => {
        client.subscribe<{ runFinished: { status: string } }>(
          { query: 'subscription { runFinished(crm: "faker") { status } }' },
          {
            next: (r) => {
              finishedStatus = r.data?.runFinished.status ?? '';
              resolve();
            },
            error: reject,
            complete: () => {},
          },
        );
      });
      client.subscribe<{ runProgress: { recordsProcessed: number } }>(
        { query: 'subscription { runProgress(crm: "faker") { recordsProcessed } }' },
        {
          next: (r) => {
            if (r.data) progress.push(r.data.runProgress.recordsProcessed);
          },
          error: () => {},
          complete: () => {},
        },
      );
      // Let both subscriptions reach the server before the other process starts.
      await new Promise((r) => setTimeout(r, 500));
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          CHILD,
          JSON.stringify({ target: { kind: 'redis', url: REDIS_URL }, channel }),
        ],
        { stdio: 'ignore' },
      );
      const code = await new Promise((r) => child.once('exit', r));
      expect(code).toBe(0);
      await Promise.race([
        finished,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no runFinished')), 15_000)),
      ]);
      await client.dispose();
      expect(finishedStatus).toBe('success');
      expect(progress.length).toBeGreaterThanOrEqual(1);
      expect(progress.at(-1)).toBe(120);
    }, 60_000);
  },
);
