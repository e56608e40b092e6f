import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as PostgresBackendModule from '@agendajs/postgres-backend';
import type * as AgendaModule from 'agenda';
import type { AgendaBackend, Job } from 'agenda';
import { SqliteBackend } from '../../packages/server/src/scheduler/sqlite-backend.js';
import {
  createPostgresTestDatabase,
  postgresUnavailable,
} from '../../packages/server/test/store/test-databases.js';
import type { BenchContext, BenchSuite } from '../lib.js';

// Agenda and its PostgreSQL backend are the server package's dependencies, not the root's.
const serverRequire = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const load = <T>(name: string) =>
  import(pathToFileURL(serverRequire.resolve(name)).href) as Promise<T>;
const { Agenda } = await load<typeof AgendaModule>('agenda');
const { PostgresBackend } = await load<typeof PostgresBackendModule>('@agendajs/postgres-backend');

// Agenda 6 as crmsync's workers use it: a producer instance (the API process) writes jobs,
// a separate worker instance (its own connection) starts them. Latency is measured from
// when a job became due — created for "run now", or its nextRunAt when scheduled ahead —
// to when the worker's handler starts.

interface Setup {
  label: string;
  /** A fresh backend on the same store each call (one per Agenda instance). */
  backend(): AgendaBackend;
  processEveryMs: number;
  /** p95 goal in ms. */
  goalMs: number;
  goal: string;
}

interface Stamp {
  dueAt: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('bench: jobs did not all start in time');
    await sleep(5);
  }
}

async function latency(ctx: BenchContext, setup: Setup): Promise<void> {
  const samples = ctx.quick ? 8 : 40;
  const started = new Map<string, number>();
  const worker = new Agenda({
    backend: setup.backend(),
    name: 'bench-worker',
    processEvery: setup.processEveryMs,
  });
  // Each instance connects (and creates the table) from its constructor: one at a time.
  await worker.ready;
  const producer = new Agenda({
    backend: setup.backend(),
    name: 'bench-producer',
    processEvery: 60_000,
  });
  worker.define(
    'bench:latency',
    async (job: Job<Stamp & { key: string }>) => {
      started.set(job.attrs.data.key, Date.now() - job.attrs.data.dueAt);
    },
    { concurrency: 20 },
  );
  await worker.start();
  await producer.start();
  try {
    const now: string[] = [];
    const ahead: string[] = [];
    for (let i = 0; i < samples; i++) {
      const nowKey = `now-${i}`;
      now.push(nowKey);
      await producer.now('bench:latency', { key: nowKey, dueAt: Date.now() });
      const dueAt = Date.now() + 400 + (i % 5) * 150;
      const aheadKey = `ahead-${i}`;
      ahead.push(aheadKey);
      await producer.schedule(new Date(dueAt), 'bench:latency', { key: aheadKey, dueAt });
      await sleep(120 + ((i * 37) % 100));
    }
    await until(() => started.size === samples * 2, setup.processEveryMs * 3 + 10_000);
    for (const [kind, keys] of [
      ['run now', now],
      ['scheduled ahead', ahead],
    ] as const) {
      const sorted = keys.map((k) => started.get(k) as number).sort((a, b) => a - b);
      const p95 = percentile(sorted, 95);
      ctx.report({
        suite: 'scheduler',
        name: `${setup.label}: due → start p50 (${kind})`,
        value: percentile(sorted, 50),
        unit: 'ms',
      });
      ctx.report({
        suite: 'scheduler',
        name: `${setup.label}: due → start p95 (${kind})`,
        value: p95,
        unit: 'ms',
        limits: [{ name: 'poll interval', value: setup.processEveryMs, unit: 'ms' }],
        ratio: p95 / setup.goalMs,
        goal: setup.goal,
        met: p95 < setup.goalMs,
      });
    }
  } finally {
    await producer.stop();
    await worker.stop();
  }
}

async function throughput(ctx: BenchContext, setup: Setup): Promise<void> {
  const jobs = ctx.quick ? 200 : 1_000;
  const producer = new Agenda({ backend: setup.backend(), name: 'bench-producer' });
  await producer.start();
  const due = new Date(Date.now() - 1_000);
  for (let i = 0; i < jobs; i++) {
    await producer.create('bench:burst', { i }).schedule(due).save();
  }
  await producer.stop();
  let count = 0;
  const worker = new Agenda({
    backend: setup.backend(),
    name: 'bench-worker',
    processEvery: setup.processEveryMs,
    maxConcurrency: 50,
    defaultLockLimit: 0,
  });
  worker.define(
    'bench:burst',
    async () => {
      count++;
    },
    { concurrency: 50 },
  );
  const t0 = performance.now();
  await worker.start();
  try {
    await until(() => count === jobs, 120_000);
    const seconds = (performance.now() - t0) / 1000;
    ctx.report({
      suite: 'scheduler',
      name: `${setup.label}: one worker starting ${jobs} jobs due at once`,
      value: jobs / seconds,
      unit: 'jobs/s',
    });
  } finally {
    await worker.stop();
  }
}

const suite: BenchSuite = {
  name: 'scheduler',
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'crmsync-bench-agenda-'));
    try {
      let n = 0;
      const sqlite = (notify: boolean): Setup => {
        const path = join(dir, `agenda-${n++}.db`);
        return {
          label: notify ? 'SQLite notifications table (poll 5 s)' : 'SQLite polling 1 s',
          backend: () => new SqliteBackend({ path, notifications: notify }),
          processEveryMs: notify ? 5_000 : 1_000,
          goalMs: 1_000,
          goal: notify ? '< 1 s (notifications)' : '< poll interval (no notifications)',
        };
      };
      await latency(ctx, sqlite(true));
      await latency(ctx, sqlite(false));
      await throughput(ctx, sqlite(false));

      const problem = await postgresUnavailable();
      if (problem) {
        ctx.log(`PostgreSQL figures skipped: ${problem}`);
        return;
      }
      const db = await createPostgresTestDatabase();
      try {
        const pgSetup = (notify: boolean): Setup => {
          const tableName = `agenda_bench_${n++}`;
          return {
            label: notify ? 'PostgreSQL LISTEN/NOTIFY (poll 5 s)' : 'PostgreSQL polling 1 s',
            backend: () =>
              new PostgresBackend({
                connectionString: db.url,
                tableName,
                channelName: tableName,
                disableNotifications: !notify,
              }),
            processEveryMs: notify ? 5_000 : 1_000,
            goalMs: 1_000,
            goal: notify ? '< 1 s (notifications)' : '< poll interval (no notifications)',
          };
        };
        await latency(ctx, pgSetup(true));
        await latency(ctx, pgSetup(false));
        await throughput(ctx, pgSetup(true));
      } finally {
        await db.drop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
