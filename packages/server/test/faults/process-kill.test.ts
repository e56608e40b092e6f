import { RunAlreadyRunningError, SyncEngine } from '@crmsync/core';
import { fakerPlugin } from '@crmsync/plugin-faker';
import { describe, expect, it } from 'vitest';
import {
  backends,
  cli,
  crashed,
  expectStoreEqualsSource,
  fakerConfig,
  figures,
  runningPast,
  syncChild,
  until,
  useSource,
  withDatabase,
} from './fault-kit.js';

// kill -9 of a sync mid-run, then a rerun: on this host the dead process is provably gone and
// its run is reaped and resumed at once; a holder that cannot be proved dead (another host)
// refuses the rerun until its lease has passed, then is reaped and resumed.
const SIZE = 2_000;
const LEASE_MS = 3_000;
const fixture = useSource('process-kill', SIZE);

for (const backend of await backends('the process fault tests')) {
  describe(`on ${backend}`, () => {
    it(
      'a CLI sync killed with -9 is reaped and resumed by the next CLI sync, within the lease',
      { timeout: 150_000 },
      () =>
        withDatabase(backend, async (database, store) => {
          const { source } = fixture;
          const args = ['sync', 'faker', 'contacts', '--batch-size', '50', '--latency-ms', '40'];
          const first = cli(args, database.url, source);
          const killedId = await runningPast(store, 'contacts', 300);
          first.process.kill('SIGKILL');
          figures.faults++;
          expect(await first.signal).toBe('SIGKILL');
          first.done();
          expect((await store.getRun(killedId))?.status).toBe('running');

          const rerun = cli(args, database.url, source);
          expect(await rerun.code, rerun.err()).toBe(0);
          rerun.done();
          expect(crashed(rerun)).toBe(false);
          const killed = await store.getRun(killedId);
          expect(killed).toMatchObject({ status: 'failed', errorKind: 'system' });
          expect(killed?.errorMessage).toMatch(
            /^interrupted: faker contacts: the process running it \(.+:\d+\) is gone/,
          );
          const [last] = await store.listRuns({ limit: 1 });
          expect(last).toMatchObject({
            status: 'success',
            resumedFromRunId: killedId,
            trigger: 'cli',
          });
          // It resumed: it did not read again what the killed run had stored.
          expect(last?.counts.processed).toBeLessThan(SIZE);
          await expectStoreEqualsSource(store, fixture.reference);
        }),
    );

    it(
      'a worker killed with -9 holds the entity until its lease passes, then is reaped and resumed',
      { timeout: 60_000 },
      () =>
        withDatabase(backend, async (database, store) => {
          const { source } = fixture;
          // Another host's worker: this host cannot tell whether its process lives.
          const worker = syncChild({
            databaseUrl: database.url,
            fakerUrl: source.url,
            token: source.token,
            entity: 'contacts',
            batchSize: 50,
            trigger: 'schedule',
            workerId: 'worker-host-b:4242',
            leaseMs: LEASE_MS,
            latencyMs: 40,
          });
          const killedId = await runningPast(store, 'contacts', 300);
          worker.process.kill('SIGKILL');
          figures.faults++;
          await worker.code;

          // The API and the scheduler begin runs in their process: the engine, as they call it.
          const engine = new SyncEngine({ store });
          const rerun = (trigger: 'api' | 'schedule') =>
            engine.runEntity({
              plugin: fakerPlugin,
              entity: 'contacts',
              config: fakerConfig(source),
              options: { batchSize: 50 },
              trigger,
            });
          const inside = await rerun('api').then(
            () => null,
            (error: unknown) => error,
          );
          expect(inside).toBeInstanceOf(RunAlreadyRunningError);
          expect(String(inside)).toContain(
            `faker contacts is already being synced by run ${killedId} (trigger schedule, worker worker-host-b:4242`,
          );
          expect((await store.getRun(killedId))?.status).toBe('running');

          await until(async () => {
            const run = await store.getRun(killedId);
            const last = run?.heartbeatAt ?? run?.startTime ?? new Date();
            return Date.now() - last.getTime() > LEASE_MS;
          }, 10_000);
          expect(await rerun('schedule')).toMatchObject({
            status: 'success',
            resumedFromRunId: killedId,
          });
          const killed = await store.getRun(killedId);
          expect(killed).toMatchObject({ status: 'failed', errorKind: 'system' });
          expect(killed?.errorMessage).toMatch(
            /^interrupted: faker contacts: .*stopped sending heartbeats/,
          );
          await expectStoreEqualsSource(store, fixture.reference);
        }),
    );
  });
}
