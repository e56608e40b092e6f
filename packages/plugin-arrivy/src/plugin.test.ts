import { MemoryStore, SyncEngine, silentLogger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ArrivyFake, type ArrivyQuirks, AUTH_KEY, AUTH_TOKEN } from './fake-server/index.js';
import arrivyPlugin, { arrivyClock } from './index.js';

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  arrivyClock.now = () => Date.now();
  for (const close of open.splice(0)) await close();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function setup(quirks: ArrivyQuirks = {}, config: Record<string, unknown> = {}) {
  const fake = await ArrivyFake.start(quirks);
  open.push(() => fake.close());
  const store = new MemoryStore();
  const engine = new SyncEngine({ store, logger: silentLogger() });
  const run = (entity: string, options: Record<string, unknown> = {}) =>
    engine.runEntity({
      plugin: arrivyPlugin,
      entity,
      config: {
        ARRIVY_AUTH_KEY: AUTH_KEY,
        ARRIVY_AUTH_TOKEN: AUTH_TOKEN,
        ARRIVY_BASE_URL: fake.baseUrl,
        ARRIVY_RATE_LIMIT: 100_000,
        ARRIVY_RETRY_BACKOFF_MS: 10,
        ...config,
      },
      trigger: 'cli',
      options: { pluginOptions: { 'full-read-hours': 0 }, ...options },
    });
  return { fake, store, run };
}

const taskRequests = (fake: ArrivyFake) =>
  fake.api.requests.filter((r) => r.route === '/api/tasks');

describe('arrivy tasks', () => {
  for (const honourPageSize of [false, true])
    it(`reads every task whether items_per_page is ignored or honoured (${honourPageSize})`, async () => {
      const { fake, run } = await setup({ honourPageSize });
      const now = Date.now();
      for (let n = 0; n < 600; n++) fake.addTask(now - n * HOUR, now - n * HOUR);
      const result = await run('tasks', { batchSize: 100 });
      expect(result.errorMessage).toBeNull();
      expect(result.counts.created).toBe(600);
      const scheduled = taskRequests(fake).filter((r) => r.query.has('from'));
      // Served 500 a page whatever was asked (500, then 100), or the 100 asked (6 full + 1 empty).
      expect(scheduled).toHaveLength(honourPageSize ? 7 : 2);
      expect(scheduled.every((r) => r.query.get('items_per_page') === '100')).toBe(true);
    });

  it('a full read makes the three pulls: the schedule window, unscheduled, undated', async () => {
    const { fake, run } = await setup();
    const now = Date.now();
    fake.addTask(now - DAY, now + 400 * DAY); // far ahead: still in a whole read's window
    fake.addTask(now - DAY, 'unscheduled');
    fake.addTask(now - DAY, 'undated');
    const result = await run('tasks');
    expect(result.counts.created).toBe(3);
    const queries = taskRequests(fake).map((r) => Object.fromEntries(r.query));
    expect(queries.some((q) => q.from?.startsWith('2010-01-01T00:00:00+00:00'))).toBe(true);
    expect(queries.some((q) => q.unscheduled === 'true')).toBe(true);
    expect(queries.some((q) => q.tasks_with_no_datetime === 'true')).toBe(true);
  });

  it('a delta reads the window around now and keeps the tasks updated since; a far task waits for the periodic read', async () => {
    const { fake, store, run } = await setup();
    const now = Date.now();
    const near = fake.addTask(now - 10 * DAY, now - 2 * DAY);
    const far = fake.addTask(now - 10 * DAY, now - 400 * DAY);
    const loose = fake.addTask(now - 10 * DAY, 'unscheduled');
    fake.addTask(now - 10 * DAY, now + DAY);
    expect((await run('tasks')).counts.created).toBe(4);
    for (const t of [near, far, loose]) fake.touch(t.id, { status: 'STARTED' });
    const delta = await run('tasks');
    expect(delta).toMatchObject({ mode: 'delta', status: 'success' });
    // The task scheduled 400 days ago is outside the 30-day window: the documented trade-off.
    expect(delta.counts).toMatchObject({ processed: 2, updated: 2 });
    expect((await store.getRecord('arrivy', 'tasks', far.id))?.data.status).toBe('NOTSTARTED');
    const window = taskRequests(fake)
      .filter((r) => r.query.has('from'))
      .at(-1);
    const from = Date.parse(window?.query.get('from') ?? '');
    expect(Math.abs(from - (now - 30 * DAY))).toBeLessThan(60_000);
    // The first delta of a new period (full-read-hours) reads every task and catches it.
    arrivyClock.now = () => Date.now() + HOUR;
    const periodic = await run('tasks', { pluginOptions: { 'full-read-hours': 1 } });
    expect(periodic.counts).toMatchObject({ processed: 4, updated: 1, unchanged: 3 });
    expect((await store.getRecord('arrivy', 'tasks', far.id))?.data.status).toBe('STARTED');
  });

  it('keeps extra_fields whole and each as extra_<name>', async () => {
    const { fake, store, run } = await setup();
    const t = fake.addTask(Date.now() - DAY, Date.now(), {
      extra_fields: { panels: 18, permit: 'P-9' },
    });
    await run('tasks');
    expect((await store.getRecord('arrivy', 'tasks', t.id))?.data).toMatchObject({
      extra_fields: { panels: 18, permit: 'P-9' },
      extra_panels: 18,
      extra_permit: 'P-9',
    });
  });
});

describe('arrivy task statuses', () => {
  it('a delta reads the statuses of the tasks changed since, and only their new entries', async () => {
    const { fake, run } = await setup();
    const now = Date.now();
    const tasks = Array.from({ length: 4 }, (_, i) => fake.addTask(now - 10 * DAY, now - i * DAY));
    for (const t of tasks) {
      fake.addStatus(t.id, now - 9 * DAY, 'ENROUTE');
      fake.addStatus(t.id, now - 8 * DAY, 'STARTED');
    }
    expect((await run('task_statuses')).counts.created).toBe(8);
    const changed = tasks[2]?.id ?? '';
    fake.addStatus(changed, Date.now(), 'COMPLETE');
    const before = fake.api.requests.length;
    const delta = await run('task_statuses');
    expect(delta.counts).toMatchObject({ processed: 1, created: 1 });
    const asked = fake.api.requests
      .slice(before)
      .filter((r) => r.route === '/api/tasks/:id/status')
      .map((r) => r.path);
    expect(asked).toEqual([`/api/tasks/${changed}/status`]);
  });
});

describe('arrivy task statuses, periodic read', () => {
  it('catches a new status of a task scheduled far away, asking only the tasks changed in the period', async () => {
    const { fake, run } = await setup();
    const now = Date.now();
    const far = fake.addTask(now - 10 * DAY, now - 400 * DAY);
    const near = fake.addTask(now - 10 * DAY, now - DAY);
    fake.addStatus(far.id, now - 9 * DAY);
    fake.addStatus(near.id, now - 9 * DAY);
    expect((await run('task_statuses')).counts.created).toBe(2);
    fake.addStatus(far.id, Date.now(), 'COMPLETE');
    expect((await run('task_statuses')).counts.processed).toBe(0); // outside the window
    arrivyClock.now = () => Date.now() + HOUR;
    const before = fake.api.requests.length;
    const periodic = await run('task_statuses', { pluginOptions: { 'full-read-hours': 1 } });
    expect(periodic.counts).toMatchObject({ processed: 1, created: 1 });
    const asked = fake.api.requests
      .slice(before)
      .filter((r) => r.route === '/api/tasks/:id/status')
      .map((r) => r.path);
    expect(asked).toEqual([`/api/tasks/${far.id}/status`]);
  });
});

describe('arrivy lists', () => {
  for (const statusesPaged of [false, true])
    it(`reads status definitions once whether /statuses pages or not (${statusesPaged})`, async () => {
      const { fake, run } = await setup({ statusesPaged, honourPageSize: true });
      for (let n = 0; n < 12; n++)
        fake.lists.statuses.push({
          id: String(900 + n),
          name: `S${n}`,
          created: null,
          updated: null,
        });
      const result = await run('statuses', { batchSize: 5 });
      expect(result.counts).toMatchObject({ processed: 12, created: 12 });
    });

  it('needs both auth headers; a wrong token fails as auth without the secrets', async () => {
    const { fake } = await setup();
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger() });
    const result = await engine.runEntity({
      plugin: arrivyPlugin,
      entity: 'groups',
      config: {
        ARRIVY_AUTH_KEY: AUTH_KEY,
        ARRIVY_AUTH_TOKEN: 'bad-token-0000',
        ARRIVY_BASE_URL: fake.baseUrl,
      },
      trigger: 'cli',
      options: {},
    });
    expect(result).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(result.errorMessage).not.toContain(AUTH_KEY);
    expect(result.errorMessage).not.toContain('bad-token-0000');
  });
});

describe('arrivy sync all', () => {
  it('runs every entity, dependencies first: the lists, tasks, then task statuses', async () => {
    const { fake } = await setup();
    const t = fake.addTask(Date.now() - DAY, Date.now());
    fake.addStatus(t.id, Date.now() - HOUR);
    const engine = new SyncEngine({ store: new MemoryStore(), logger: silentLogger() });
    const runs = await engine.runAll({
      plugin: arrivyPlugin,
      config: {
        ARRIVY_AUTH_KEY: AUTH_KEY,
        ARRIVY_AUTH_TOKEN: AUTH_TOKEN,
        ARRIVY_BASE_URL: fake.baseUrl,
      },
      trigger: 'cli',
      options: {},
    });
    expect(runs.map((r) => [r.syncType, r.status])).toEqual([
      ['entities', 'success'],
      ['groups', 'success'],
      ['crews', 'success'],
      ['statuses', 'success'],
      ['bookings', 'success'],
      ['tasks', 'success'],
      ['task_statuses', 'success'],
    ]);
  });
});
