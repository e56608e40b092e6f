import { RunAlreadyRunningError, SyncEngine, type SyncRun } from '@crmsync/core';
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
  useSource,
  withDatabase,
} from './fault-kit.js';

// Two syncs of one entity at once, from the CLI, the API and the scheduler (the last two as
// they call the engine, in their process): the store lets one run and refuses the others,
// naming the run that holds the entity; `crmsync sync --wait` runs once it has ended.
const fixture = useSource('one-run', 1_000);

for (const backend of await backends('the one-run fault tests')) {
  describe(`on ${backend}`, () => {
    it(
      'lets one sync of an entity run and refuses the CLI and the scheduler while it does',
      {
        timeout: 90_000,
      },
      () =>
        withDatabase(backend, async (database, store) => {
          const { source } = fixture;
          const engine = new SyncEngine({ store });
          const sync = (trigger: 'api' | 'schedule', latency: number, signal?: AbortSignal) =>
            engine.runEntity({
              plugin: fakerPlugin,
              entity: 'contacts',
              config: fakerConfig(source),
              options: { batchSize: 10, pluginOptions: { 'latency-ms': latency } },
              trigger,
              ...(signal && { signal }),
            });
          // Three at once: exactly one begins; at a second a page it outlasts any CLI start-up, and
          // runs until the test stops it.
          const stop = new AbortController();
          const racing = Promise.allSettled([
            sync('api', 1_000, stop.signal),
            sync('schedule', 1_000, stop.signal),
            sync('api', 1_000, stop.signal),
          ]);
          const holderId = await runningPast(store, 'contacts', 20);
          figures.faults += 3;
          const refusing = cli(['sync', 'faker', 'contacts'], database.url, source);
          const waiting = cli(['sync', 'faker', 'contacts', '--wait'], database.url, source);
          const scheduled = await sync('schedule', 0).then(
            () => null,
            (error: unknown) => error,
          );
          expect(scheduled).toBeInstanceOf(RunAlreadyRunningError);
          expect((scheduled as RunAlreadyRunningError).running.id).toBe(holderId);

          expect(await refusing.code).toBe(1);
          refusing.done();
          expect(crashed(refusing)).toBe(false);
          expect(refusing.err()).toMatch(
            new RegExp(
              `faker contacts is already being synced by run ${holderId} \\(trigger \\w+, worker .+:\\d+, started \\d{4}-`,
            ),
          );
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          stop.abort(new Error('stopped by the test'));
          const raced = await racing;
          expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
          expect(
            raced.filter(
              (r) => r.status === 'rejected' && r.reason instanceof RunAlreadyRunningError,
            ),
          ).toHaveLength(2);

          expect(await waiting.code, waiting.err()).toBe(0);
          waiting.done();
          expect(crashed(waiting)).toBe(false);
          const runs = await store.listRuns({ crmSource: 'faker', syncType: 'contacts' });
          // The holder (cancelled) and the CLI run that waited for it; nothing else began.
          expect(runs.map((r) => [r.trigger, r.status])).toEqual([
            ['cli', 'success'],
            [expect.stringMatching(/^(api|schedule)$/), 'failed'],
          ]);
          const [waited, holder] = runs as [SyncRun, SyncRun];
          expect(holder.id).toBe(holderId);
          expect(holder.errorKind).toBe('cancelled');
          expect(holder.errorMessage).toContain('faker contacts');
          expect(waited.startTime.getTime()).toBeGreaterThanOrEqual(holder.endTime?.getTime() ?? 0);
          await expectStoreEqualsSource(store, fixture.reference);
        }),
    );
  });
}
