import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type FakerServer, fakerPlugin, startFakerServer } from '@crmsync/plugin-faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Crmsync, createCrmsync } from '../app.js';
import {
  createPostgresTestDatabase,
  postgresUnavailable,
  type TestDatabase,
} from '../../test/store/test-databases.js';
import { type Scheduler, startScheduler } from './start-scheduler.js';

// Several processes on one PostgreSQL database, Agenda on @agendajs/postgres-backend: one
// "server" (this process: mirrors schedules, runs nothing) and two worker processes. PostgreSQL
// must be reachable: skipped with the reason otherwise, failed when CI=true.

const unavailable = await postgresUnavailable();
if (unavailable && process.env.CI === 'true') throw new Error(unavailable);
if (unavailable) console.warn(`scheduler PostgreSQL tests skipped: ${unavailable}`);

const workerScript = fileURLToPath(
  new URL('../../test/scheduler/test-worker-process.ts', import.meta.url),
);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

describe.skipIf(unavailable !== null)('scheduler on PostgreSQL: one server, two workers', () => {
  let db: TestDatabase;
  let faker: FakerServer;
  let app: Crmsync;
  let server: Scheduler;
  const workers = new Map<string, ChildProcess>();

  function spawnWorker(id: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript, db.url, id], {
      cwd: repoRoot,
      env: {
        ...process.env,
        FAKER_BASE_URL: faker.url,
        FAKER_TOKEN: faker.token,
        FAKER_REQUESTS_PER_SECOND: '1000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.set(id, child);
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    return new Promise((resolve, reject) => {
      child.stdout?.on('data', (c: Buffer) => {
        if (c.toString().includes('ready')) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`worker ${id} exited with ${code}: ${err}`)));
    });
  }

  beforeAll(async () => {
    db = await createPostgresTestDatabase();
    // Small entities, except activities: 40 pages at 60 ms each, long enough to kill mid-run.
    faker = await startFakerServer({
      size: { contacts: 20, companies: 20, deals: 20, activities: 400 },
      token: 'pg-token',
      latencyMs: 60,
      maxPageSize: 10,
    });
    app = await createCrmsync({
      database: db.url,
      plugins: [fakerPlugin],
      env: { FAKER_BASE_URL: faker.url, FAKER_TOKEN: faker.token },
    });
    server = await startScheduler({ app, processJobs: false, kind: 'server' });
    await Promise.all([spawnWorker('worker-a'), spawnWorker('worker-b')]);
  }, 60_000);

  afterAll(async () => {
    for (const child of workers.values()) if (child.exitCode === null) child.kill('SIGKILL');
    await server?.stop();
    await app?.close();
    await faker?.close();
    await db?.drop();
  });

  it('fires schedules on the workers, each due run exactly once', async () => {
    const entities = ['contacts', 'companies', 'deals'];
    const schedules = await Promise.all(
      entities.map((syncType) =>
        server.service.create({
          crmSource: 'faker',
          syncType,
          cron: '*/2 * * * * *',
          options: { batchSize: 10 },
        }),
      ),
    );
    const started = Date.now();
    await until(async () => {
      const runs = (await app.history({ limit: 200 })).filter((r) => r.status !== 'running');
      return entities.every((e) => runs.filter((r) => r.syncType === e).length >= 3);
    });
    for (const s of schedules) await server.service.pause(s.id, 'test over');
    await sleep(1_000);
    const runs = (await app.history({ limit: 200 })).filter((r) => r.trigger === 'schedule');
    expect(runs.every((r) => r.startTime.getTime() >= started - 2_000)).toBe(true);
    for (const entity of entities) {
      const mine = runs.filter((r) => r.syncType === entity);
      // One run per due time. A second worker running the same due time would start within
      // one poll (300 ms) of the first; runs of successive due times are ~2 s apart.
      const starts = mine.map((r) => r.startTime.getTime()).sort((a, b) => a - b);
      const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
      expect(Math.min(...gaps), `${entity}: gaps ${gaps.join(', ')} ms`).toBeGreaterThan(700);
      expect(mine.every((r) => r.status === 'success')).toBe(true);
    }
    // Which worker takes a due job is a race between their polls (one fast worker may take
    // them all); what must hold is that only these workers ran them, each due time once.
    for (const r of runs) expect(['worker-a', 'worker-b']).toContain(r.workerId);
    const health = await server.health();
    expect(health.workers.map((w) => w.id).sort()).toEqual(['worker-a', 'worker-b']);
  }, 40_000);

  it("finishes a SIGKILLed worker's run as failed/interrupted through the survivor's reaper", async () => {
    const schedule = await server.service.create({
      crmSource: 'faker',
      syncType: 'activities',
      cron: '*/2 * * * * *',
    });
    const victim = await until(async () =>
      (await app.history({ limit: 50 })).find(
        (r) => r.syncType === 'activities' && r.status === 'running',
      ),
    );
    const killedId = victim.workerId as string;
    const survivor = killedId === 'worker-a' ? 'worker-b' : 'worker-a';
    workers.get(killedId)?.kill('SIGKILL');
    await server.service.pause(schedule.id, 'test over');
    const reaped = await until(async () => {
      const run = (await app.history({ limit: 50 })).find((r) => r.id === victim.id);
      return run?.status !== 'running' && run;
    });
    expect(reaped.status).toBe('failed');
    expect(reaped.errorMessage).toMatch(/^interrupted/);
    expect(reaped.errorMessage).toContain(killedId);
    const health = await server.health();
    expect(health.workers.map((w) => w.id)).toContain(survivor);
  }, 30_000);
});
