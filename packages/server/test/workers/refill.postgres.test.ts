import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Scheduler, startScheduler } from '../../src/scheduler/start-scheduler.js';
import {
  createPostgresTestDatabase,
  postgresUnavailable,
  type TestDatabase,
} from '../store/test-databases.js';
import { type FleetFake, startFleetFake } from './fleet-fake.js';
import {
  type FleetProject,
  type FleetQueue,
  fleetProject,
  openFleetQueue,
  waitForRuns,
} from './fleet-harness.js';

// A worker takes its next due job when a sync finishes, not on its next poll. Agenda alone
// refills a worker's queue only every `processEvery` (or on a notification): a worker allowed
// one job at a time ran one job per poll. Here the poll is 10 minutes away and four jobs
// must still all run, one after another, as soon as each previous one is done.

const unavailable = await postgresUnavailable();
if (unavailable && process.env.CI === 'true') throw new Error(unavailable);
if (unavailable) console.warn(`refill PostgreSQL test skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)('a worker with a free slot takes the next due job', () => {
  let db: TestDatabase;
  let fake: FleetFake;
  let project: FleetProject;
  let queue: FleetQueue;
  let worker: Scheduler;

  beforeAll(async () => {
    db = await createPostgresTestDatabase();
    fake = await startFleetFake({ entities: 4, records: 10, pageSize: 10 });
    project = fleetProject(fake);
    queue = await openFleetQueue(project, db.url);
    worker = await startScheduler({
      app: queue.app,
      env: project.env,
      workerId: 'only-worker',
      mirror: false,
      processEveryMs: 600_000,
      maxConcurrency: 1,
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await queue?.close();
    await fake?.close();
    project?.remove();
    await db?.drop();
  });

  it('runs four queued jobs back to back with the poll ten minutes away', async () => {
    await queue.enqueue(fake.entities, { parked: true });
    // One notification: the worker locks one job (its lock limit) and must find the rest itself.
    await queue.release();
    const runs = await waitForRuns(
      queue.app,
      (all) => all.filter((r) => r.status === 'success').length === fake.entities.length,
      30_000,
    );
    expect(runs.map((r) => r.entity).sort()).toEqual(fake.entities);
    // One at a time: each run started after the one before it ended.
    for (let i = 1; i < runs.length; i++)
      expect(runs[i]?.startTime.getTime()).toBeGreaterThanOrEqual(
        runs[i - 1]?.endTime?.getTime() as number,
      );
  }, 45_000);
});
