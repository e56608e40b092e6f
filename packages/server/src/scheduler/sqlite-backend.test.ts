import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda, type AgendaBackend, type Job } from 'agenda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPostgresTestDatabase,
  postgresUnavailable,
  type TestDatabase,
} from '../../test/store/test-databases.js';
import { SqliteBackend } from './sqlite-backend.js';

// Scenarios modelled on Agenda's shared backend suites (test/shared/*-test-suite.ts), run
// against real Agenda instances. The same scenarios run on @agendajs/postgres-backend, the
// reference implementation: "behaves like Agenda's own backends" is checked, not assumed.

interface BackendUnderTest {
  name: string;
  /** Called before each test: a fresh, empty job store. */
  fresh(): Promise<void>;
  /** A new backend (own connection) on the current store. */
  create(): AgendaBackend;
  cleanup(): Promise<void>;
}

function sqliteBackend(): BackendUnderTest {
  let dir = '';
  let file = '';
  return {
    name: 'SQLite (ours)',
    async fresh() {
      dir = mkdtempSync(join(tmpdir(), 'crmsync-agenda-'));
      file = join(dir, 'agenda.db');
    },
    create: () => new SqliteBackend({ path: file }),
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const postgresProblem = await postgresUnavailable();
if (postgresProblem && process.env.CI === 'true') {
  throw new Error(`CI=true but ${postgresProblem}`);
}
let postgresDb: TestDatabase | undefined;

function postgresBackend(): BackendUnderTest {
  let table = '';
  let n = 0;
  return {
    name: 'PostgreSQL (@agendajs/postgres-backend, reference)',
    async fresh() {
      table = `agenda_suite_${process.pid}_${n++}`;
    },
    create: () =>
      new PostgresBackend({
        connectionString: (postgresDb as TestDatabase).url,
        tableName: table,
        channelName: table,
      }),
    async cleanup() {},
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

const backends = [
  { under: sqliteBackend(), skip: null },
  {
    under: postgresBackend(),
    skip: postgresProblem ? `skipped: ${postgresProblem}` : null,
  },
];

beforeAll(async () => {
  if (!postgresProblem) postgresDb = await createPostgresTestDatabase();
});
afterAll(async () => {
  await postgresDb?.drop();
});

for (const { under, skip } of backends) {
  if (skip) {
    console.warn(`${under.name}: ${skip}`);
  }
  describe.skipIf(skip !== null)(`Agenda backend scenarios: ${under.name}`, () => {
    const agendas: Agenda[] = [];
    const backends: AgendaBackend[] = [];

    /** A started-up Agenda on the store under test; instances connect one at a time. */
    async function agenda(
      options: { maxConcurrency?: number; processEvery?: number } = {},
    ): Promise<Agenda> {
      const backend = under.create();
      // Agenda.stop() leaves a never-started instance's connection open: close it ourselves.
      backends.push(backend);
      const a = new Agenda({
        backend,
        processEvery: options.processEvery ?? 100,
        name: `test-${agendas.length}`,
        ...(options.maxConcurrency && { maxConcurrency: options.maxConcurrency }),
      });
      agendas.push(a);
      await a.ready;
      return a;
    }

    /** A bare backend on the same store, to drive the repository directly. */
    async function repository() {
      const backend = under.create();
      backends.push(backend);
      await backend.connect();
      return backend.repository;
    }

    beforeEach(() => under.fresh());

    afterEach(async () => {
      await Promise.all(agendas.splice(0).map((a) => a.stop(true).catch(() => undefined)));
      await Promise.all(backends.splice(0).map((b) => b.disconnect().catch(() => undefined)));
      await under.cleanup();
    });

    it('locks each job on one instance: two Agenda instances on one store never run a job twice', async () => {
      const runs = new Map<string, string[]>();
      const a = await agenda();
      const b = await agenda();
      for (const [i, inst] of [a, b].entries()) {
        inst.define(
          'work',
          async (job: Job<{ n: number }>) => {
            const key = String(job.attrs.data.n);
            runs.set(key, [...(runs.get(key) ?? []), `instance-${i}`]);
            await sleep(20);
          },
          // A lock limit keeps one instance from locking every due job in one scan.
          { concurrency: 3, lockLimit: 3 },
        );
      }
      await a.start();
      await b.start();
      for (let n = 0; n < 60; n++) await a.now('work', { n });
      await until(() => runs.size === 60);
      await sleep(300);
      expect([...runs.values()].every((r) => r.length === 1)).toBe(true);
      const byInstance = new Set([...runs.values()].flat());
      expect(byInstance.size).toBe(2);
    });

    it('starts a job saved now by another instance at once, long before the next poll', async () => {
      const worker = await agenda({ processEvery: 60_000 });
      const producer = await agenda({ processEvery: 60_000 });
      let startedAt = 0;
      worker.define('urgent', async () => {
        startedAt = Date.now();
      });
      await worker.start();
      await producer.start();
      // The worker's first scan happens on start; the job comes after it.
      await sleep(300);
      const savedAt = Date.now();
      await producer.now('urgent', {});
      await until(() => startedAt > 0, 5_000);
      expect(startedAt - savedAt).toBeLessThan(1_000);
    });

    it('schedules a one-off job for later and runs it then, not before', async () => {
      const a = await agenda();
      let ranAt = 0;
      a.define('later', async () => {
        ranAt = Date.now();
      });
      await a.start();
      const scheduledAt = Date.now();
      const job = await a.schedule(new Date(scheduledAt + 700), 'later', {});
      expect(job.attrs.nextRunAt?.getTime()).toBe(scheduledAt + 700);
      await until(() => ranAt > 0);
      expect(ranAt).toBeGreaterThanOrEqual(scheduledAt + 700);
      // The handler has started; Agenda records the finish right after it returns.
      await until(
        async () => (await a.queryJobs({ name: 'later' })).jobs[0]?.state === 'completed',
      );
      const stored = await a.queryJobs({ name: 'later' });
      expect(stored.jobs[0]?.lastFinishedAt).toBeInstanceOf(Date);
      expect(stored.jobs[0]?.nextRunAt).toBeNull();
    });

    it('repeats on a human interval and keeps a single row for it', async () => {
      const a = await agenda();
      let count = 0;
      a.define('tick', async () => {
        count++;
      });
      await a.start();
      await a.every('1 second', 'tick');
      await a.every('1 second', 'tick');
      await until(() => count >= 2, 5000);
      // Between runs (not while one holds the lock) the job reads as repeating.
      await until(async () => (await a.queryJobs({ name: 'tick' })).jobs[0]?.state === 'repeating');
      const { jobs } = await a.queryJobs({ name: 'tick' });
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.repeatInterval).toBe('1 second');
      expect(jobs[0]?.state).toBe('repeating');
      const next = jobs[0]?.nextRunAt?.getTime() ?? 0;
      expect(next).toBeGreaterThan(Date.now() - 1100);
    });

    it('computes the next run of a cron expression and keeps a numeric interval a number', async () => {
      const a = await agenda();
      a.define('cron', async () => {});
      a.define('numeric', async () => {});
      await a.start();
      await a.every('*/5 * * * *', 'cron');
      await a.every(60_000, 'numeric');
      const [cron] = (await a.queryJobs({ name: 'cron' })).jobs;
      const next = cron?.nextRunAt as Date;
      expect(next.getUTCMinutes() % 5).toBe(0);
      expect(next.getUTCSeconds()).toBe(0);
      expect(next.getTime()).toBeGreaterThan(Date.now());
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
      const [numeric] = (await a.queryJobs({ name: 'numeric' })).jobs;
      // Ours keeps the number's type; the PostgreSQL reference hands back the string '60000'.
      expect(Number(numeric?.repeatInterval)).toBe(60_000);
    });

    it('honours a definition concurrency limit', async () => {
      const a = await agenda();
      let running = 0;
      let peak = 0;
      let done = 0;
      a.define(
        'slow',
        async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(150);
          running--;
          done++;
        },
        { concurrency: 2 },
      );
      for (let i = 0; i < 6; i++) await a.now('slow', { i });
      await a.start();
      await until(() => done === 6);
      expect(peak).toBe(2);
    });

    it('runs jobs due together by priority, highest first', async () => {
      const a = await agenda({ maxConcurrency: 1 });
      const order: string[] = [];
      a.define(
        'p',
        async (job: Job<{ label: string }>) => {
          order.push(job.attrs.data.label);
        },
        { concurrency: 1 },
      );
      const due = new Date(Date.now() - 1000);
      for (const [label, priority] of [
        ['low', 'low'],
        ['high', 'high'],
        ['normal', 'normal'],
        ['highest', 'highest'],
      ] as const) {
        await a.create('p', { label }).schedule(due).priority(priority).save();
      }
      await a.start();
      await until(() => order.length === 4);
      expect(order).toEqual(['highest', 'high', 'normal', 'low']);
    });

    it('does not run disabled jobs until they are enabled again', async () => {
      const a = await agenda();
      let ran = 0;
      a.define('d', async () => {
        ran++;
      });
      await a.now('d', { k: 1 });
      expect(await a.disable({ name: 'd' })).toBe(1);
      await a.start();
      await sleep(500);
      expect(ran).toBe(0);
      expect((await a.queryJobs({ state: 'paused' })).total).toBe(1);
      expect((await a.queryJobs({ includeDisabled: false })).total).toBe(0);
      expect(await a.enable({ data: { k: 1 } })).toBe(1);
      await until(() => ran === 1);
    });

    it('cancels by data, purges undefined job types, and removes every job', async () => {
      const a = await agenda();
      a.define('x', async () => {});
      await a.schedule('in 1 hour', 'no-longer-defined', {});
      await a.schedule('in 1 hour', 'x', { crm: 'faker' });
      await a.schedule('in 1 hour', 'x', { crm: 'hubspot' });
      await a.schedule('in 1 hour', 'x', { crm: 'hubspot', nested: { a: 1 } });
      expect(await a.cancel({ data: { nested: { a: 1 } } })).toBe(1);
      expect(await a.cancel({ name: 'x', data: { crm: 'faker' } })).toBe(1);
      expect(await a.purge()).toBe(1);
      expect((await a.queryJobs()).jobs.map((j) => j.name)).toEqual(['x']);
      expect(await a.cancelAll()).toBe(1);
      expect((await a.queryJobs()).total).toBe(0);
    });

    it('answers job queries, the overview and the queue size', async () => {
      const a = await agenda();
      a.define('alpha', async () => {});
      a.define('beta', async () => {});
      for (let i = 0; i < 5; i++)
        await a.schedule(new Date(Date.now() - 1000 * (i + 1)), 'alpha', { i });
      await a.schedule('in 1 hour', 'beta', { i: 99 });
      const page = await a.queryJobs({
        name: 'alpha',
        sort: { nextRunAt: 'asc' },
        skip: 1,
        limit: 2,
      });
      expect(page.total).toBe(5);
      expect(page.jobs.map((j) => (j.data as { i: number }).i)).toEqual([3, 2]);
      expect((await a.queryJobs({ search: 'bet' })).jobs.map((j) => j.name)).toEqual(['beta']);
      expect((await a.queryJobs({ data: { i: 99 } })).total).toBe(1);
      expect((await a.queryJobs({ state: 'queued' })).total).toBe(5);
      expect((await a.queryJobs({ state: 'scheduled' })).total).toBe(1);
      const overview = await a.getJobsOverview();
      expect(overview.map((o) => [o.name, o.total, o.queued, o.scheduled])).toEqual([
        ['alpha', 5, 5, 0],
        ['beta', 1, 0, 1],
      ]);
      const repo = await repository();
      expect(await repo.getQueueSize()).toBe(5);
      expect(await repo.getDistinctJobNames()).toEqual(['alpha', 'beta']);
    });

    it('keeps one job per unique key, and insertOnly leaves the first one alone', async () => {
      const a = await agenda();
      a.define('u', async () => {});
      await a
        .create('u', { schedule: 's1', v: 1 })
        .unique({ 'data.schedule': 's1' })
        .schedule('in 1 hour')
        .save();
      await a
        .create('u', { schedule: 's1', v: 2 })
        .unique({ 'data.schedule': 's1' })
        .schedule('in 1 hour')
        .save();
      await a
        .create('u', { schedule: 's1', v: 3 })
        .unique({ 'data.schedule': 's1' }, { insertOnly: true })
        .schedule('in 1 hour')
        .save();
      const { jobs } = await a.queryJobs({ name: 'u' });
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.data).toEqual({ schedule: 's1', v: 2 });
    });

    it('retakes a job whose lock expired (its worker died) and never one whose lock is live', async () => {
      const a = await agenda();
      a.define('held', async () => {});
      const job = await a.schedule(new Date(Date.now() - 1000), 'held', {});
      const repo = await repository();
      const now = new Date();
      const first = await repo.getNextJobToRun('held', now, new Date(now.getTime() - 60_000), now, {
        lastModifiedBy: 'dead-worker',
      });
      expect(String(first?._id)).toBe(String(job.attrs._id));
      const again = await repo.getNextJobToRun(
        'held',
        now,
        new Date(now.getTime() - 60_000),
        now,
        undefined,
      );
      expect(again).toBeUndefined();
      const later = new Date(now.getTime() + 120_000);
      const retaken = await repo.getNextJobToRun(
        'held',
        later,
        new Date(later.getTime() - 60_000),
        later,
        {
          lastModifiedBy: 'survivor',
        },
      );
      expect(retaken?.lastModifiedBy).toBe('survivor');
    });
  });
}
