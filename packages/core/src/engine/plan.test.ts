import { describe, expect, it } from 'vitest';
import type { DeltaSpec } from '../contracts/plugin.js';
import type { FinishRunInput, SyncOptions, SyncRun } from '../contracts/run.js';
import { MemoryStore } from '../store/memory-store.js';
import { canResume, DEFAULT_DELTA_OVERLAP_MS, findDeltaBase, planRun } from './plan.js';

const DAY = 86_400_000;
const started = new Date('2026-06-10T12:00:00Z');
const lastSuccess = { id: 'r1', startTime: started } as SyncRun;
const updated: DeltaSpec = { kind: 'updated-since', field: 'updated_at' };
const plan = (
  options: SyncOptions,
  last: SyncRun | null = lastSuccess,
  delta: DeltaSpec = updated,
) => planRun({ delta, options, lastSuccessfulRun: last });

describe('planRun: the strategy, first match wins', () => {
  it('--start-date wins over --force and --full, reading from that day and overwriting', () => {
    const from = new Date('2026-01-05T00:00:00Z');
    const p = plan({ startDate: from, force: true, full: true });
    expect(p).toMatchObject({ mode: 'start-date', since: from, policy: 'overwrite' });
    expect(p.reason).toBe('--start-date 2026-01-05');
  });

  it('--force wins over --full: everything read, everything overwritten', () => {
    expect(plan({ force: true, full: true })).toMatchObject({ mode: 'force', policy: 'overwrite' });
    expect(plan({ force: true }).since).toBeUndefined();
  });

  it('--full reads everything but keeps a newer local row', () => {
    expect(plan({ full: true })).toMatchObject({ mode: 'full', policy: 'keep-newer' });
  });

  it('without flags, a delta from the last successful run', () => {
    expect(plan({})).toMatchObject({ mode: 'delta', policy: 'overwrite' });
  });

  it('with no successful run yet, an initial full read that overwrites', () => {
    const p = plan({}, null);
    expect(p).toMatchObject({ mode: 'full', policy: 'overwrite' });
    expect(p.reason).toContain('initial full sync');
  });
});

describe('planRun: where a delta starts', () => {
  it("starts at the last successful run's start minus the default overlap", () => {
    expect(plan({}).since).toEqual(new Date(started.getTime() - DEFAULT_DELTA_OVERLAP_MS));
  });

  it("uses the plugin's own overlap when it gives one", () => {
    const p = planRun({
      delta: updated,
      options: {},
      lastSuccessfulRun: lastSuccess,
      overlapMs: 60_000,
    });
    expect(p.since).toEqual(new Date(started.getTime() - 60_000));
    expect(p.reason).toContain('minus 60 s overlap');
  });

  it('reaches back a trailing window further still', () => {
    const calls: DeltaSpec = { kind: 'trailing-window', field: 'start_time', windowMs: 2 * DAY };
    expect(plan({}, lastSuccess, calls).since).toEqual(
      new Date(started.getTime() - DEFAULT_DELTA_OVERLAP_MS - 2 * DAY),
    );
  });

  it('gives a created-since entity the same start: new records since that run began', () => {
    const created: DeltaSpec = { kind: 'created-since', field: 'created_at' };
    expect(plan({}, lastSuccess, created)).toMatchObject({
      mode: 'delta',
      since: new Date(started.getTime() - DEFAULT_DELTA_OVERLAP_MS),
    });
  });

  it('bounds any strategy by the day after --end-date', () => {
    const endDate = new Date('2026-02-01T00:00:00Z');
    expect(plan({ endDate }).until).toEqual(new Date('2026-02-02T00:00:00Z'));
    expect(plan({ full: true, endDate }).until).toEqual(new Date('2026-02-02T00:00:00Z'));
  });
});

const begin = (store: MemoryStore, configuration: Record<string, unknown> = {}, dryRun = false) =>
  store.beginRun({
    crmSource: 'faker',
    syncType: 'contacts',
    mode: 'delta',
    trigger: 'cli',
    dryRun,
    configuration,
    leaseMs: 60_000,
  });
const counts = { processed: 1, created: 1, updated: 0, unchanged: 0, deleted: 0, failed: 0 };
const end = (store: MemoryStore, run: SyncRun, over: Partial<FinishRunInput> = {}) =>
  store.finishRun(run.id, { status: 'success', counts, performanceMetrics: null, ...over });

describe('findDeltaBase: the run a delta starts from', () => {
  it('is a partial run: its records that failed are retried by the next full read, not lost', async () => {
    const store = new MemoryStore();
    await end(store, await begin(store));
    const partial = await begin(store);
    await end(store, partial, { status: 'partial', counts: { ...counts, failed: 1 } });
    expect((await findDeltaBase(store, 'faker', 'contacts'))?.id).toBe(partial.id);
  });

  it('is never a run the store failed: a store fault fails the run, so the older success stays the base', async () => {
    const store = new MemoryStore();
    const ok = await begin(store);
    await end(store, ok);
    const faulted = await begin(store);
    await end(store, faulted, { status: 'failed', errorKind: 'store', errorMessage: 'db down' });
    expect((await findDeltaBase(store, 'faker', 'contacts'))?.id).toBe(ok.id);
  });

  it('skips a run cut by --max-records or --end-date, and a dry run', async () => {
    const store = new MemoryStore();
    const whole = await begin(store);
    await end(store, whole);
    await end(store, await begin(store, { maxRecords: 10 }));
    await end(store, await begin(store, { endDate: '2026-01-01' }));
    await end(store, await begin(store, {}, true));
    expect((await findDeltaBase(store, 'faker', 'contacts'))?.id).toBe(whole.id);
  });

  it('is none when no run read everything: an initial full read follows', async () => {
    const store = new MemoryStore();
    await end(store, await begin(store, { maxRecords: 10 }));
    expect(await findDeltaBase(store, 'faker', 'contacts')).toBeNull();
  });
});

describe("canResume: a failed run's checkpoint", () => {
  const delta = plan({});
  const failed = (over: Partial<SyncRun> = {}) =>
    ({
      status: 'failed',
      checkpoint: { page: 3 },
      errorKind: 'transient',
      mode: delta.mode,
      sinceTime: delta.since ?? null,
      ...over,
    }) as SyncRun;

  it('is resumed by a run of the same mode and start', () => {
    expect(canResume(failed(), delta)).toBe(true);
  });

  it('is resumed after an interruption (a reaped run is failed with its checkpoint)', () => {
    expect(
      canResume(
        failed({
          errorKind: 'system',
          errorMessage: 'interrupted: faker contacts: its process is gone',
        }),
        delta,
      ),
    ).toBe(true);
  });

  it('is not resumed after an auth or config failure, a different plan, or without a checkpoint', () => {
    expect(canResume(failed({ errorKind: 'auth' }), delta)).toBe(false);
    expect(canResume(failed({ errorKind: 'config' }), delta)).toBe(false);
    expect(canResume(failed({ mode: 'full' }), delta)).toBe(false);
    expect(canResume(failed({ sinceTime: started }), delta)).toBe(false);
    expect(canResume(failed({ checkpoint: null }), delta)).toBe(false);
    expect(canResume(failed({ status: 'success' }), delta)).toBe(false);
    expect(canResume(null, delta)).toBe(false);
  });
});
