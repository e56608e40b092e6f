import { fakerPlugin } from '@crmsync/plugin-faker';
import { createCrmsync } from '../../src/app.js';
import { startScheduler } from '../../src/scheduler/start-scheduler.js';

// A worker process for the multi-process tests: `node --import tsx test-worker-process.ts
// <database-url> <worker-id>`. The same code as `crmsync worker`, with a short engine lease and
// fast polling so that a killed worker's run is reaped within a test. Prints "ready".

const [database, workerId] = process.argv.slice(2) as [string, string];
const app = await createCrmsync({
  database,
  plugins: [fakerPlugin],
  workerId,
  leaseMs: 2_000,
  env: process.env,
});
const scheduler = await startScheduler({
  app,
  workerId,
  mirror: false,
  processEveryMs: 300,
  heartbeatMs: 500,
  reapEveryMs: 1_000,
  // Two syncs at once (all faker, side by side so none starts late); the lock limit that
  // follows leaves the third due job to the other worker.
  maxConcurrency: 2,
  perCrmConcurrency: 2,
});
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await scheduler.stop();
  await app.close();
  process.exit(0);
});
