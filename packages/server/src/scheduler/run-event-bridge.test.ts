import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunProgressPayload, RunStatusPayload } from '../events/pubsub.js';
import { POSTGRES_TEST_ADMIN_URL, postgresUnavailable } from '../../test/store/test-databases.js';
import {
  type EventsTarget,
  openRunEventBridge,
  type RunEventBridge,
  resolveEventsTarget,
} from './run-event-bridge.js';

// A sync in one process, a subscriber in another: progress must cross over Redis pub/sub and
// over PostgreSQL LISTEN/NOTIFY. Each test uses its own channel.

const CHILD = fileURLToPath(
  new URL('../../test/scheduler/run-event-bridge.child.ts', import.meta.url),
);
const REDIS_URL = process.env.CRMSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisUnavailable(): Promise<string | null> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return `Redis at ${REDIS_URL} is unreachable (${(error as Error).message})`;
  } finally {
    client.disconnect();
  }
}

const problems = {
  redis: await redisUnavailable(),
  postgresql: await postgresUnavailable(),
};
for (const problem of Object.values(problems)) {
  if (problem && process.env.CI === 'true') throw new Error(`CI=true but ${problem}`);
}

const targets: Array<{ name: string; target: EventsTarget; problem: string | null }> = [
  { name: 'Redis pub/sub', target: { kind: 'redis', url: REDIS_URL }, problem: problems.redis },
  {
    name: 'PostgreSQL LISTEN/NOTIFY',
    target: { kind: 'postgresql', connectionString: POSTGRES_TEST_ADMIN_URL },
    problem: problems.postgresql,
  },
];

function runChild(target: EventsTarget, channel: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, JSON.stringify({ target, channel })],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(out.trim().split('\n').at(-1) ?? '')
        : reject(new Error(`bridge child exited ${code}: ${err}`)),
    );
  });
}

describe('resolveEventsTarget', () => {
  it('takes CRMSYNC_EVENTS_URL, else a PostgreSQL database, else keeps events in-process', () => {
    expect(
      resolveEventsTarget({ CRMSYNC_EVENTS_URL: 'redis://127.0.0.1:6379/2' }, 'file:x.db'),
    ).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379/2',
    });
    expect(resolveEventsTarget({}, 'postgresql://u@127.0.0.1/db?schema=crm')).toEqual({
      kind: 'postgresql',
      connectionString: 'postgresql://u@127.0.0.1/db',
    });
    expect(resolveEventsTarget({}, 'file:./crm.db')).toBeNull();
    expect(() => resolveEventsTarget({ CRMSYNC_EVENTS_URL: 'amqp://x' }, 'file:x.db')).toThrow(
      /CRMSYNC_EVENTS_URL must start with/,
    );
  });
});

for (const { name, target, problem } of targets) {
  if (problem) console.warn(`run event bridge over ${name} skipped: ${problem}`);
  describe.skipIf(problem !== null)(`run event bridge over ${name}`, () => {
    let bridge: RunEventBridge | undefined;
    afterEach(async () => {
      await bridge?.close();
    });

    it('delivers a sync running in another process to this process: progress, then finished', async () => {
      const channel = `crmsync_test_evt_${randomBytes(5).toString('hex')}`;
      bridge = await openRunEventBridge(target, { channel });
      const progress: RunProgressPayload[] = [];
      const finished: RunStatusPayload[] = [];
      const progressSub = bridge.pubsub.subscribe('run:progress');
      const finishedSub = bridge.pubsub.subscribe('run:finished');
      const collectProgress = (async () => {
        for await (const p of progressSub) progress.push(p);
      })();
      const gotFinished = (async () => {
        for await (const f of finishedSub) {
          finished.push(f);
          return;
        }
      })();
      // Subscriptions attach their listeners on first pull; give LISTEN/SUBSCRIBE a moment.
      await new Promise((r) => setTimeout(r, 300));

      const runId = await runChild(target, channel);
      await Promise.race([
        gotFinished,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no run:finished')), 10_000)),
      ]);
      await progressSub.return?.();
      await collectProgress;

      expect(finished).toEqual([
        expect.objectContaining({
          runId,
          crmSource: 'faker',
          syncType: 'contacts',
          status: 'success',
        }),
      ]);
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress.every((p) => p.runId === runId && p.crmSource === 'faker')).toBe(true);
      const processed = progress.map((p) => p.recordsProcessed);
      expect(processed).toEqual([...processed].sort((a, b) => a - b));
      expect(processed.at(-1)).toBe(120);
    }, 60_000);
  });
}
