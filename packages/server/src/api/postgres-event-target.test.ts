import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { createPostgresEventTarget, type PostgresEventTarget } from './postgres-event-target.js';
import { createApiPubSub, publishRunEvent, type RunProgressPayload } from './pubsub.js';
import { collect, startTestApi, testProviders } from './test-support.js';

const postgres = (await testProviders()).includes('postgresql');

describe.runIf(postgres)('PostgreSQL LISTEN/NOTIFY event target', () => {
  let db: TestDatabase;
  const targets: PostgresEventTarget[] = [];
  beforeAll(async () => {
    db = await createPostgresTestDatabase();
  });
  afterAll(async () => {
    for (const t of targets) await t.close();
    await db?.drop();
  });

  it('delivers an event published in one process to subscribers in another, in order', async () => {
    const worker = await createPostgresEventTarget({ connectionString: db.url });
    const server = await createPostgresEventTarget({ connectionString: db.url });
    targets.push(worker, server);
    const published = createApiPubSub(worker);
    const subscribed = createApiPubSub(server);

    const received: number[] = [];
    const iterator = subscribed.subscribe('run:progress')[Symbol.asyncIterator]();
    const reading = (async () => {
      while (received.length < 3) {
        const next = await iterator.next();
        received.push((next.value as RunProgressPayload).recordsProcessed);
      }
      await iterator.return?.();
    })();
    await new Promise((r) => setTimeout(r, 50));
    for (const n of [100, 200, 300]) {
      published.publish('run:progress', {
        runId: 'r1',
        crmSource: 'callrail',
        syncType: 'calls',
        recordsProcessed: n,
        recordsCreated: 0,
        recordsUpdated: 0,
        recordsUnchanged: 0,
        recordsFailed: 0,
        estimatedTotal: 300,
        recordsPerSecond: 10,
        pages: n / 100,
        at: new Date().toISOString(),
      });
    }
    await reading;
    expect(received).toEqual([100, 200, 300]);
  });

  it('carries a worker’s run progress to a subscriber of the API server over graphql-ws', async () => {
    const serverTarget = await createPostgresEventTarget({ connectionString: db.url });
    const workerTarget = await createPostgresEventTarget({ connectionString: db.url });
    targets.push(serverTarget, workerTarget);
    const t = await startTestApi({
      provider: 'sqlite',
      eventTarget: serverTarget,
    });
    try {
      const progress = collect<{ runProgress: { runId: string; recordsProcessed: number } }>(
        t.ws(),
        'subscription { runProgress(runId: "worker-run") { runId recordsProcessed } }',
        {},
        (items) => items.length >= 1,
      );
      // The worker: its engine's events published on its own pub/sub, over the same channel,
      // again until the subscription (live once its LISTEN listener is added) has one.
      const worker = createApiPubSub(workerTarget);
      let received = false;
      void progress.done.finally(() => {
        received = true;
      });
      const publish = () =>
        publishRunEvent(worker, {
          type: 'run-progress',
          runId: 'worker-run',
          crmSource: 'callrail',
          syncType: 'calls',
          counts: { processed: 42, created: 40, updated: 2, unchanged: 0, deleted: 0, failed: 0 },
          estimatedTotal: null,
          recordsPerSecond: 21,
          pages: 1,
          at: new Date(),
        });
      for (let i = 0; i < 100 && !received; i++) {
        publish();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await progress.done).toEqual([
        { runProgress: { runId: 'worker-run', recordsProcessed: 42 } },
      ]);
    } finally {
      await t.close();
    }
  });
});
