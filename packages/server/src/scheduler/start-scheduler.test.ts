import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FakerServer, fakerPlugin, startFakerServer } from '@crmsync/plugin-faker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Crmsync, createCrmsync } from '../app.js';
import { ensureDemoSchedule } from './demo-schedule.js';
import { startScheduler } from './start-scheduler.js';
import { SYNC_JOB } from './sync-job.js';

// The scheduler over the embedded SQLite store (Agenda on our SQLite backend in the same file)
// with the faker CRM served by this process. Schedules use a per-second cron so runs arrive
// within the test.

let faker: FakerServer;
let slowFaker: FakerServer;
const cleanups: Array<() => Promise<void>> = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

beforeAll(async () => {
  faker = await startFakerServer({ size: 30, token: 'good-token' });
  slowFaker = await startFakerServer({
    size: 400,
    token: 'good-token',
    latencyMs: 150,
    maxPageSize: 10,
  });
});
afterAll(async () => {
  await faker.close();
  await slowFaker.close();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(
  server = faker,
  token = 'good-token',
  dir = mkdtempSync(path.join(tmpdir(), 'crmsync-scheduler-')),
): Promise<{ app: Crmsync; dir: string }> {
  const app = await createCrmsync({
    cwd: dir,
    database: `file:${path.join(dir, 'crmsync.db')}`,
    plugins: [fakerPlugin],
    env: { FAKER_BASE_URL: server.url, FAKER_TOKEN: token, FAKER_REQUESTS_PER_SECOND: '1000' },
  });
  cleanups.push(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, dir };
}

async function scheduler(app: Crmsync, extra: Partial<Parameters<typeof startScheduler>[0]> = {}) {
  const s = await startScheduler({ app, processEveryMs: 200, heartbeatMs: 500, ...extra });
  // Stopped before the app closes (cleanups run in reverse).
  cleanups.push(() => s.stop());
  return s;
}

const scheduledRuns = async (app: Crmsync) =>
  (await app.history({ limit: 100 })).filter((r) => r.trigger === 'schedule');

describe('startScheduler on SQLite', () => {
  it('runs a schedule on its own, keeps next_run and last_run_id current, and reports health', async () => {
    const { app } = await open();
    const events: string[] = [];
    const s = await scheduler(app, {
      kind: 'start',
      hooks: [{ onRunEvent: (e) => events.push(e.type) }],
    });
    const created = await s.service.create({
      crmSource: 'faker',
      syncType: 'contacts',
      cron: '* * * * * *',
      options: { batchSize: 10, pluginOptions: {} },
    });
    expect(created.nextRun).toBeInstanceOf(Date);
    const runs = await until(async () => {
      const r = await scheduledRuns(app);
      return r.filter((x) => x.status !== 'running').length >= 2 && r;
    });
    expect(runs.every((r) => r.crmSource === 'faker' && r.syncType === 'contacts')).toBe(true);
    expect(runs.find((r) => r.status !== 'running')?.status).toBe('success');
    const row = await app.store.prisma.syncSchedule.findUniqueOrThrow({
      where: { id: created.id },
    });
    expect(runs.map((r) => r.id)).toContain(row.lastRunId);
    expect(row.nextRun!.getTime()).toBeGreaterThan(created.nextRun!.getTime());

    expect(events).toEqual(expect.arrayContaining(['run-started', 'run-finished']));
    const health = await s.health();
    expect(health.running).toBe(true);
    expect(health.workers.map((w) => w.id)).toEqual([s.workerId]);
    expect(health.workers[0]?.lastSeenAt).toBeInstanceOf(Date);
  });

  it('applies pause, resume, update and delete to Agenda without a restart', async () => {
    const { app } = await open();
    const s = await scheduler(app);
    const sched = await s.service.create({
      crmSource: 'faker',
      syncType: 'companies',
      cron: '* * * * * *',
    });
    await until(async () => (await scheduledRuns(app)).length >= 1);
    const paused = await s.service.pause(sched.id, 'maintenance');
    expect(paused).toMatchObject({ enabled: false, pausedReason: 'maintenance', nextRun: null });
    await until(async () => (await scheduledRuns(app)).every((r) => r.status !== 'running'));
    const before = (await scheduledRuns(app)).length;
    await sleep(2_000);
    expect((await scheduledRuns(app)).length).toBe(before);

    await s.service.resume(sched.id);
    await until(async () => (await scheduledRuns(app)).length > before);

    const updated = await s.service.update(sched.id, { interval: '2 hours', cron: null });
    expect(updated.nextRun!.getTime() - Date.now()).toBeGreaterThan(7_000_000);
    const [job] = (await s.agenda.queryJobs({ name: SYNC_JOB })).jobs;
    expect(job?.repeatInterval).toBe(2 * 3_600_000);

    await s.service.delete(sched.id);
    expect((await s.agenda.queryJobs({ name: SYNC_JOB })).total).toBe(0);
  });

  it('mirrors rows written while no scheduler ran, keeps a matching job, drops orphans', async () => {
    const { app } = await open();
    const first = await scheduler(app, { processJobs: false });
    const kept = await first.service.create({
      crmSource: 'faker',
      syncType: 'deals',
      interval: '1 hour',
    });
    const keptJob = (await first.agenda.queryJobs({ name: SYNC_JOB })).jobs[0];
    await first.agenda
      .create(SYNC_JOB, { crm: 'faker', entity: 'deals', options: {}, scheduleId: 'gone' })
      .schedule('in 1 hour')
      .save();
    await first.stop();
    // Written straight into the table, as `crmsync schedule add` does without a scheduler.
    await app.store.prisma.syncSchedule.create({
      data: {
        id: 'raw-1',
        crmSource: 'faker',
        syncType: 'activities',
        cron: '0 3 * * *',
        options: {},
      },
    });
    const second = await scheduler(app, { processJobs: false });
    const jobs = (await second.agenda.queryJobs({ name: SYNC_JOB })).jobs;
    const ids = jobs.map((j) => (j.data as { scheduleId: string }).scheduleId).sort();
    expect(ids).toEqual([kept.id, 'raw-1'].sort());
    const again = jobs.find((j) => (j.data as { scheduleId: string }).scheduleId === kept.id);
    expect(again?.nextRunAt?.getTime()).toBe(keptJob?.nextRunAt?.getTime());
    const raw = await app.store.prisma.syncSchedule.findUniqueOrThrow({ where: { id: 'raw-1' } });
    expect(raw.nextRun!.getTime()).toBeGreaterThan(Date.now());
  });

  it('pauses every schedule of a CRM whose credentials are rejected', async () => {
    const { app } = await open(faker, 'wrong-token');
    const s = await scheduler(app);
    const a = await s.service.create({
      crmSource: 'faker',
      syncType: 'contacts',
      cron: '* * * * * *',
    });
    const b = await s.service.create({ crmSource: 'faker', syncType: 'deals', interval: '1 hour' });
    const rows = await until(async () => {
      const r = await app.store.prisma.syncSchedule.findMany({ orderBy: { createdAt: 'asc' } });
      return r.every((x) => !x.enabled) && r;
    });
    const [run] = await scheduledRuns(app);
    expect(run).toMatchObject({ status: 'failed', errorKind: 'auth' });
    for (const row of rows) {
      expect([a.id, b.id]).toContain(row.id);
      expect(row.pausedReason).toMatch(/faker rejected the credentials/);
    }
    expect((await s.agenda.queryJobs({ name: SYNC_JOB, state: 'paused' })).total).toBe(2);
  });

  it('on stop aborts a running sync: its run finishes failed and cancelled, never left running', async () => {
    const { app } = await open(slowFaker);
    const s = await scheduler(app);
    await s.service.create({
      crmSource: 'faker',
      syncType: 'contacts',
      cron: '* * * * * *',
      options: { batchSize: 10 },
    });
    await until(async () => (await scheduledRuns(app)).find((r) => r.status === 'running'));
    await until(async () => (await s.health()).workers[0]?.activeJobs === 1);
    await s.stop();
    const runs = await scheduledRuns(app);
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.status).toBe('failed');
      expect(run.errorKind).toBe('cancelled');
      expect(run.errorMessage).toMatch(/^cancelled/);
    }
  });

  it('schedules faker all every 2 minutes on a fresh database, and only there', async () => {
    const { app } = await open();
    const s = await scheduler(app, { processJobs: false });
    const demo = await ensureDemoSchedule(app, s);
    expect(demo).toMatchObject({ crmSource: 'faker', syncType: 'all', interval: '2 minutes' });
    expect(demo!.nextRun!.getTime() - Date.now()).toBeGreaterThan(100_000);
    const [job] = (await s.agenda.queryJobs({ name: SYNC_JOB })).jobs;
    expect(job?.data).toMatchObject({ crm: 'faker', entity: 'all', scheduleId: demo!.id });
    expect(await ensureDemoSchedule(app, s)).toBeNull();
    await s.service.delete(demo!.id);
    await app.sync('faker', 'companies');
    expect(await ensureDemoSchedule(app, s)).toBeNull();
  });

  it('pauses a schedule whose stored options cannot start a sync, naming the option', async () => {
    const { app } = await open();
    const s = await scheduler(app);
    const bad = await s.service.create({
      crmSource: 'faker',
      syncType: 'contacts',
      cron: '* * * * * *',
      options: { batchSize: 'lots' },
    });
    const row = await until(async () => {
      const r = await app.store.prisma.syncSchedule.findUniqueOrThrow({ where: { id: bad.id } });
      return !r.enabled && r;
    });
    expect(row.pausedReason).toMatch(/^could not start: Invalid batch-size/);
    expect(await scheduledRuns(app)).toEqual([]);
  });
});
