// A process that syncs one faker entity through the engine, as a worker or the API would:
// run by the fault tests (`node --import tsx sync-child.ts '<json>'`) so it can be killed.
import { SyncEngine } from '@crmsync/core';
import { fakerPlugin } from '@crmsync/plugin-faker';
import { openStore } from '../../src/store/open-store.js';

interface ChildArgs {
  databaseUrl: string;
  fakerUrl: string;
  token: string;
  entity: string;
  workerId?: string;
  leaseMs?: number;
  latencyMs?: number;
  batchSize?: number;
  trigger: 'schedule' | 'api' | 'library';
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const store = await openStore({ databaseUrl: args.databaseUrl });
const engine = new SyncEngine({
  store,
  ...(args.workerId && { workerId: args.workerId }),
  ...(args.leaseMs && { leaseMs: args.leaseMs, heartbeatIntervalMs: args.leaseMs / 4 }),
});
try {
  const run = await engine.runEntity({
    plugin: fakerPlugin,
    entity: args.entity,
    config: {
      baseUrl: args.fakerUrl,
      token: args.token,
      size: 0,
      seed: 0,
      changesPerMinute: 0,
      requestsPerSecond: 1_000,
    },
    options: {
      batchSize: args.batchSize ?? 100,
      pluginOptions: { 'latency-ms': args.latencyMs ?? 0 },
    },
    trigger: args.trigger,
  });
  process.stdout.write(`${JSON.stringify({ id: run.id, status: run.status })}\n`);
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ error: (error as Error).name, message: String(error) })}\n`,
  );
  process.exitCode = 1;
} finally {
  await store.close();
}
