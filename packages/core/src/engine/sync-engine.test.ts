import { describe, expect, it } from 'vitest';
import { CrmsyncError, InputError } from '../contracts/errors.js';
import type { RunEvent } from '../contracts/events.js';
import { defineCrmPlugin } from '../contracts/define-plugin.js';
import { createRequestMetrics } from '../contracts/metrics.js';
import {
  type CrmPlugin,
  type DeltaSpec,
  defineEntity,
  type FetchRequest,
  type Page,
} from '../contracts/plugin.js';
import type { SyncOptions, SyncRun } from '../contracts/run.js';
import type { RecordWrite, UpsertOptions, UpsertResult } from '../contracts/store.js';
import { MemoryStore } from '../store/memory-store.js';
import { orderEntities } from './order.js';
import { planRun } from './plan.js';
import { type RunEntityParams, SyncEngine } from './sync-engine.js';
/** One record of the tiny in-memory CRM the engine tests sync from. */
interface Row {
  id: string;
  name: string;
  email: string;
  /** Epoch ms, as many CRMs send it. */
  updated: number;
  created: number;
}

/** What a page fetch can be made to do instead of answering normally (1-based page number). */
type PageFault =
  | { kind: 'throw'; error: unknown }
  | { kind: 'malformed' }
  | { kind: 'replace'; page: Page<unknown> };

/**
 * A small CRM held in memory: records sorted by (updated, id), filtered by `since`/`until`,
 * paged by `batchSize` with an offset checkpoint. It records every request and every page
 * start, and can be told to fail, slow down or serve odd pages.
 */
class TestCrm {
  rows: Row[] = [];
  requests: FetchRequest[] = [];
  /** performance.now() at the start of each page fetch, in order. */
  pageStarts: number[] = [];
  faults = new Map<number, PageFault>();
  /** Waited before each page is served. */
  pageDelayMs = 0;
  /** Called before each page is served (1-based page number of this read). */
  beforePage?: (page: number, request: FetchRequest) => void | Promise<void>;
  deletedIds: string[] = [];
  clientsCreated = 0;
  clientsClosed = 0;

  constructor(size: number, base = Date.UTC(2026, 0, 1)) {
    for (let i = 1; i <= size; i++) {
      this.rows.push({
        id: String(i),
        name: `Person ${i}`,
        email: `p${i}@example.com`,
        updated: base + i * 60_000,
        created: base + i * 60_000,
      });
    }
  }

  /** Changes `ids` so their remote update time is `at`. */
  touch(ids: string[], at = Date.now()) {
    for (const row of this.rows) {
      if (ids.includes(row.id)) {
        row.name = `${row.name} (changed)`;
        row.updated = at;
      }
    }
  }

  /** `filter: false` reads everything whatever `since` says (a `none`-delta entity). */
  async *read(request: FetchRequest, filter = true): AsyncGenerator<Page<Row>> {
    this.requests.push(request);
    const since = (filter && request.since?.getTime()) || Number.NEGATIVE_INFINITY;
    const until = request.until?.getTime() ?? Number.POSITIVE_INFINITY;
    const rows = this.rows
      .filter((r) => r.updated >= since && r.updated < until)
      .sort((a, b) => a.updated - b.updated || Number(a.id) - Number(b.id));
    let offset = typeof request.checkpoint?.offset === 'number' ? request.checkpoint.offset : 0;
    let page = 0;
    while (offset < rows.length) {
      page++;
      this.pageStarts.push(performance.now());
      await this.beforePage?.(page, request);
      if (this.pageDelayMs) await new Promise((r) => setTimeout(r, this.pageDelayMs));
      request.signal.throwIfAborted();
      const fault = this.faults.get(page);
      if (fault?.kind === 'throw') throw fault.error;
      const records = rows.slice(offset, offset + request.batchSize).map((r) => ({ ...r }));
      offset += records.length;
      if (fault?.kind === 'malformed') {
        yield { records: 'not an array' } as unknown as Page<Row>;
        continue;
      }
      if (fault?.kind === 'replace') {
        yield fault.page as Page<Row>;
        continue;
      }
      yield {
        records,
        checkpoint: { offset },
        estimatedTotal: rows.length,
        ...(offset >= rows.length && this.deletedIds.length > 0 && { deletedIds: this.deletedIds }),
      };
    }
  }
}

interface TestClient {
  crm: TestCrm;
  metrics: { apiCalls: number };
}

/** A plugin over a TestCrm: `contacts` (updated-since by default), `companies` (no delta), `deals` (after companies). */
function testPlugin(
  crm: TestCrm,
  options: {
    delta?: DeltaSpec;
    deltaOverlapMs?: number;
    failCreateClient?: unknown;
    fullReadDetectsDeletes?: boolean;
  } = {},
): CrmPlugin<TestClient> {
  const fields = {
    id: { type: 'object_id', required: true },
    name: { type: 'string', maxLength: 40 },
    email: { type: 'email' },
    updated: { type: 'datetime' },
    created: { type: 'datetime' },
  } as const;
  const fetchAll = (client: TestClient, request: FetchRequest) => fetch(client, request, false);
  const fetch = (client: TestClient, request: FetchRequest, filter = true) => {
    const inner = client.crm.read(request, filter);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const page of inner) {
          client.metrics.apiCalls++;
          yield page;
        }
      },
    };
  };
  return defineCrmPlugin<TestClient>({
    contractVersion: 1,
    name: 'testcrm',
    displayName: 'Test CRM',
    kind: 'api',
    config: {},
    ...(options.deltaOverlapMs !== undefined && { deltaOverlapMs: options.deltaOverlapMs }),
    entities: [
      defineEntity<TestClient, Row>({
        name: 'contacts',
        primaryKey: 'id',
        delta: options.delta ?? { kind: 'updated-since', field: 'updated' },
        ...(options.fullReadDetectsDeletes && { fullReadDetectsDeletes: true }),
        fields: { ...fields },
        updatedAtField: 'updated',
        createdAtField: 'created',
        fetch,
      }),
      defineEntity<TestClient, Row>({
        name: 'deals',
        primaryKey: 'id',
        delta: { kind: 'updated-since', field: 'updated' },
        fields: { ...fields },
        updatedAtField: 'updated',
        dependsOn: ['companies'],
        fetch,
      }),
      defineEntity<TestClient, Row>({
        name: 'companies',
        primaryKey: 'id',
        delta: { kind: 'none' },
        fields: { ...fields },
        fetch: fetchAll,
      }),
    ],
    createClient(context) {
      if (options.failCreateClient) throw options.failCreateClient;
      crm.clientsCreated++;
      return { crm, metrics: context.metrics };
    },
    async closeClient() {
      crm.clientsClosed++;
    },
  });
}

/**
 * A MemoryStore that lets a test slow its writes, see when they happen, and refuse some of
 * them — the real store underneath does the work.
 */
class InstrumentedStore extends MemoryStore {
  writeDelayMs = 0;
  /** [start, end] of every upsertRecords call, performance.now(). */
  writes: Array<{ start: number; end: number; size: number }> = [];
  /** A batch holding one of these ids is refused whole. */
  refuseIds = new Set<string>();
  refuseAll = false;
  failFinish = 0;
  /** Delay between writing a run's row and answering `beginRun` (a slow database round trip). */
  beginAnswerDelayMs = 0;

  override async beginRun(...args: Parameters<MemoryStore['beginRun']>) {
    const run = await super.beginRun(...args);
    if (this.beginAnswerDelayMs) await new Promise((r) => setTimeout(r, this.beginAnswerDelayMs));
    return run;
  }

  override async upsertRecords(
    crmSource: string,
    entity: string,
    records: RecordWrite[],
    options: UpsertOptions,
  ): Promise<UpsertResult> {
    const start = performance.now();
    if (this.writeDelayMs) await new Promise((r) => setTimeout(r, this.writeDelayMs));
    try {
      if (this.refuseAll) throw new Error('database is gone');
      const bad = records.find((r) => this.refuseIds.has(r.externalId));
      if (bad) throw new Error(`constraint violated by ${bad.externalId}`);
      return await super.upsertRecords(crmSource, entity, records, options);
    } finally {
      this.writes.push({ start, end: performance.now(), size: records.length });
    }
  }

  override async finishRun(...args: Parameters<MemoryStore['finishRun']>) {
    if (this.failFinish > 0) {
      this.failFinish--;
      throw new CrmsyncError('system', 'finishRun: connection lost');
    }
    return super.finishRun(...args);
  }
}

// ---------------------------------------------------------------------------------------------

const overlap = 5 * 60_000;
const quiet = { heartbeatIntervalMs: 60_000, progressIntervalMs: 0 };

function setup(size = 25, pluginOptions: Parameters<typeof testPlugin>[1] = {}) {
  const crm = new TestCrm(size);
  const plugin = testPlugin(crm, pluginOptions);
  const store = new InstrumentedStore();
  const engine = new SyncEngine({ store, ...quiet, writeBatchSize: 10 });
  const run = (options: SyncOptions = {}, extra: Partial<RunEntityParams> = {}) =>
    engine.runEntity({ plugin, entity: 'contacts', config: {}, options, trigger: 'cli', ...extra });
  return { crm, plugin, store, engine, run };
}

async function noneRunning(store: InstrumentedStore) {
  expect(await store.listRuns({ status: 'running' })).toEqual([]);
}

describe('planRun', () => {
  const delta: DeltaSpec = { kind: 'updated-since', field: 'updated' };
  const last = {
    id: 'r1',
    startTime: new Date('2026-03-01T12:00:00.000Z'),
  } as SyncRun;
  const day = new Date('2026-02-01T00:00:00.000Z');

  it('takes the first matching rule: start date, force, full, delta, initial full', () => {
    const all = { startDate: day, force: true, full: true };
    expect(planRun({ delta, options: all, lastSuccessfulRun: last })).toMatchObject({
      mode: 'start-date',
      since: day,
      policy: 'overwrite',
    });
    expect(
      planRun({ delta, options: { force: true, full: true }, lastSuccessfulRun: last }),
    ).toMatchObject({ mode: 'force', policy: 'overwrite' });
    expect(planRun({ delta, options: { force: true }, lastSuccessfulRun: last }).since).toBe(
      undefined,
    );
    expect(planRun({ delta, options: { full: true }, lastSuccessfulRun: last })).toMatchObject({
      mode: 'full',
      policy: 'keep-newer',
    });
    expect(planRun({ delta, options: {}, lastSuccessfulRun: last })).toMatchObject({
      mode: 'delta',
      policy: 'overwrite',
    });
    expect(planRun({ delta, options: {}, lastSuccessfulRun: null })).toMatchObject({
      mode: 'full',
      policy: 'overwrite',
    });
  });

  it('starts a delta at the last successful run start minus the overlap (and the window)', () => {
    const start = last.startTime.getTime();
    expect(planRun({ delta, options: {}, lastSuccessfulRun: last }).since?.getTime()).toBe(
      start - overlap,
    );
    expect(
      planRun({ delta, options: {}, lastSuccessfulRun: last, overlapMs: 1000 }).since?.getTime(),
    ).toBe(start - 1000);
    const window: DeltaSpec = { kind: 'trailing-window', field: 'at', windowMs: 3_600_000 };
    expect(planRun({ delta: window, options: {}, lastSuccessfulRun: last }).since?.getTime()).toBe(
      start - overlap - 3_600_000,
    );
  });

  it('starts a created-since delta the same way as an updated-since one', () => {
    const created: DeltaSpec = { kind: 'created-since', field: 'created' };
    expect(planRun({ delta: created, options: {}, lastSuccessfulRun: last })).toMatchObject({
      mode: 'delta',
      since: new Date(last.startTime.getTime() - overlap),
    });
    expect(planRun({ delta: created, options: {}, lastSuccessfulRun: null }).mode).toBe('full');
  });

  it('turns --end-date into an exclusive bound the day after, on every mode', () => {
    const endDate = new Date('2026-02-10T00:00:00.000Z');
    for (const options of [{ endDate }, { endDate, force: true }, { endDate, startDate: day }]) {
      expect(planRun({ delta, options, lastSuccessfulRun: last }).until?.toISOString()).toBe(
        '2026-02-11T00:00:00.000Z',
      );
    }
  });
});

describe('SyncEngine', () => {
  it('runs an initial full sync into one exact history row, with events in order', async () => {
    const { run, store, engine, crm } = setup(25);
    const seen: RunEvent[] = [];
    const unsubscribe = engine.subscribe((e) => seen.push(e));
    const own: RunEvent['type'][] = [];
    const result = await run({ batchSize: 10 }, { onEvent: (e) => own.push(e.type) });
    unsubscribe();
    expect(result).toMatchObject({
      status: 'success',
      mode: 'full',
      trigger: 'cli',
      dryRun: false,
      errorMessage: null,
      errorKind: null,
      checkpoint: null,
      sinceTime: null,
      resumedFromRunId: null,
      crmSource: 'testcrm',
      syncType: 'contacts',
    });
    expect(result.counts).toEqual({
      processed: 25,
      created: 25,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      failed: 0,
    });
    expect(await store.getRun(result.id)).toEqual(result);
    expect(result.highWaterMark?.getTime()).toBe(Math.max(...crm.rows.map((r) => r.updated)));
    expect(result.performanceMetrics).toMatchObject({ pages: 3, apiCalls: 3 });
    expect(result.performanceMetrics?.peakRssBytes).toBeGreaterThan(0);
    expect(result.configuration).toMatchObject({ batchSize: 10 });
    expect(crm.requests[0]?.batchSize).toBe(10);
    expect(seen[0]?.type).toBe('run-started');
    expect(seen.at(-1)?.type).toBe('run-finished');
    const progress = seen.filter((e) => e.type === 'run-progress');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const lastProgress = progress.at(-1);
    expect(lastProgress?.type === 'run-progress' && lastProgress.estimatedTotal).toBe(25);
    expect(own).toEqual(seen.map((e) => e.type));
    expect(await store.getRecord('testcrm', 'contacts', '7')).toMatchObject({
      data: { id: '7', name: 'Person 7', email: 'p7@example.com' },
      lastRunId: result.id,
    });
    expect(crm.clientsCreated).toBe(1);
    expect(crm.clientsClosed).toBe(1);
  });

  it('reads a delta from the last successful run start minus the plugin overlap', async () => {
    const { run, crm } = setup(25, { deltaOverlapMs: 1_000 });
    const first = await run();
    crm.touch(['3', '9', '20'], Date.now());
    const second = await run();
    expect(second.mode).toBe('delta');
    expect(second.sinceTime?.getTime()).toBe(first.startTime.getTime() - 1_000);
    expect(crm.requests[1]?.since?.getTime()).toBe(first.startTime.getTime() - 1_000);
    expect(second.counts).toMatchObject({ processed: 3, updated: 3, created: 0 });
  });

  it('goes from the last success, not from a failed run after it', async () => {
    const { run, crm } = setup(10);
    const ok = await run();
    crm.touch(['1']);
    crm.faults.set(1, { kind: 'throw', error: new Error('boom') });
    const failed = await run();
    expect(failed.status).toBe('failed');
    crm.faults.clear();
    const next = await run();
    expect(next.sinceTime?.getTime()).toBe(ok.startTime.getTime() - overlap);
  });

  it('--full keeps a stored row whose remote time is newer; --force overwrites it', async () => {
    const { run, crm, store } = setup(5);
    await run();
    const future = Date.UTC(2030, 0, 1);
    crm.touch(['2'], future);
    await run({ force: true });
    const row2 = crm.rows.find((r) => r.id === '2');
    if (!row2) throw new Error('row 2 missing');
    row2.updated = Date.UTC(2026, 0, 2);
    row2.name = 'older copy';
    const full = await run({ full: true });
    expect(full.mode).toBe('full');
    expect(full.counts).toMatchObject({ processed: 5, updated: 0, unchanged: 5 });
    expect((await store.getRecord('testcrm', 'contacts', '2'))?.remoteUpdatedAt?.getTime()).toBe(
      future,
    );
    const force = await run({ force: true });
    expect(force.counts).toMatchObject({ updated: 1, unchanged: 4 });
    expect((await store.getRecord('testcrm', 'contacts', '2'))?.data.name).toBe('older copy');
  });

  it('passes start date, end date, batch size, max records and plugin options to the fetch', async () => {
    const { run, crm } = setup(30);
    const startDate = new Date(Date.UTC(2026, 0, 1));
    const endDate = new Date(Date.UTC(2026, 0, 1));
    const result = await run({
      startDate,
      endDate,
      batchSize: 7,
      maxRecords: 12,
      pluginOptions: { region: 'eu' },
    });
    const request = crm.requests[0];
    expect(request).toMatchObject({
      mode: 'start-date',
      batchSize: 7,
      maxRecords: 12,
      options: { region: 'eu' },
    });
    expect(request?.since?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(request?.until?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(result.counts.processed).toBe(12);
    expect(result.configuration).toMatchObject({
      startDate: '2026-01-01',
      endDate: '2026-01-01',
      maxRecords: 12,
    });
  });

  it('never starts a delta from a run cut by --max-records or bounded by --end-date', async () => {
    const { run, crm } = setup(30);
    const complete = await run();
    const capped = await run({ force: true, maxRecords: 5 });
    expect(capped.status).toBe('success');
    const bounded = await run({ force: true, endDate: new Date('2020-01-01T00:00:00Z') });
    expect(bounded.status).toBe('success');
    crm.touch(['7']);
    const next = await run();
    expect(next.mode).toBe('delta');
    expect(next.sinceTime?.getTime()).toBe(complete.startTime.getTime() - overlap);
  });

  it('reads everything when the only successful runs were cut short', async () => {
    const { run } = setup(30);
    await run({ maxRecords: 5 });
    const next = await run();
    expect(next.mode).toBe('full');
    expect(next.counts.processed).toBe(30);
  });

  it('stops cleanly after --max-records without fetching further pages', async () => {
    const { run, crm, store } = setup(100);
    const result = await run({ maxRecords: 15, batchSize: 10 });
    expect(result.status).toBe('success');
    expect(result.counts.processed).toBe(15);
    expect(await store.countRecords('testcrm', 'contacts')).toBe(15);
    expect(crm.pageStarts).toHaveLength(2);
  });

  it('a dry run counts everything, writes no record and is not a last success', async () => {
    const { run, store } = setup(12);
    const result = await run({ dryRun: true });
    expect(result).toMatchObject({ status: 'success', dryRun: true });
    expect(result.counts.processed).toBe(12);
    expect(store.writes).toHaveLength(0);
    expect(await store.countRecords('testcrm', 'contacts', { includeDeleted: true })).toBe(0);
    expect(await store.lastSuccessfulRun('testcrm', 'contacts')).toBeNull();
    expect((await run()).mode).toBe('full');
  });

  it('fetches the next page while the current one is being written', async () => {
    const { run, crm, store } = setup(40);
    store.writeDelayMs = 40;
    crm.pageDelayMs = 5;
    const result = await run({ batchSize: 10 });
    expect(result.status).toBe('success');
    // Page 2 was asked for before page 1's write finished (and so on for every page).
    const firstWrite = store.writes[0];
    if (!firstWrite) throw new Error('no write happened');
    expect(crm.pageStarts[1]).toBeLessThan(firstWrite.end);
    expect(crm.pageStarts[1]).toBeGreaterThanOrEqual(crm.pageStarts[0] ?? 0);
    const overlapped = store.writes
      .slice(0, 3)
      .filter((w, i) => (crm.pageStarts[i + 1] ?? Number.POSITIVE_INFINITY) < w.end);
    expect(overlapped).toHaveLength(3);
  });

  it('writes in sub-batches of writeBatchSize', async () => {
    const { run, store } = setup(25);
    await run({ batchSize: 25 });
    expect(store.writes.map((w) => w.size)).toEqual([10, 10, 5]);
  });

  it('falls back to one-by-one writes so one bad record fails alone', async () => {
    const { run, store } = setup(25);
    store.refuseIds.add('7');
    const result = await run({ batchSize: 25 });
    expect(result.status).toBe('partial');
    expect(result.counts).toMatchObject({ processed: 25, created: 24, failed: 1 });
    expect(await store.getRecord('testcrm', 'contacts', '7')).toBeNull();
    expect(await store.countRecords('testcrm', 'contacts')).toBe(24);
    const events = await store.listEvents(result.id);
    const failure = events.find((e) => e.level === 'error' && e.recordId === '7');
    expect(failure?.message).toMatch(/testcrm contacts record 7 could not be written/);
  });

  it('fails fast with a system error when the store refuses every write', async () => {
    const { run, store } = setup(25);
    store.refuseAll = true;
    const result = await run({ batchSize: 25 });
    expect(result).toMatchObject({ status: 'failed', errorKind: 'system' });
    expect(result.errorMessage).toMatch(/testcrm contacts/);
    expect(result.errorMessage).toMatch(/database is gone/);
    await noneRunning(store);
  });

  it('finishes as failed, naming crm and entity, when the plugin throws mid-read', async () => {
    const { run, crm, store } = setup(30);
    crm.faults.set(2, { kind: 'throw', error: new Error('socket hang up') });
    const result = await run({ batchSize: 10 });
    expect(result).toMatchObject({ status: 'failed', errorKind: 'system' });
    expect(result.errorMessage).toBe('testcrm contacts: socket hang up');
    expect(result.counts.created).toBe(10);
    expect(result.checkpoint).toEqual({ offset: 10 });
    expect(result.endTime).toBeInstanceOf(Date);
    await noneRunning(store);
    expect(crm.clientsClosed).toBe(1);
  });

  it('classifies network failures as transient and keeps CrmsyncError kinds', async () => {
    const { run, crm } = setup(5);
    crm.faults.set(1, {
      kind: 'throw',
      error: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    expect((await run()).errorKind).toBe('transient');
    crm.faults.set(1, {
      kind: 'throw',
      error: new CrmsyncError('auth', 'testcrm: the token was refused (401)'),
    });
    const auth = await run();
    expect(auth).toMatchObject({
      errorKind: 'auth',
      errorMessage: 'testcrm contacts: the token was refused (401)',
    });
  });

  it('finishes as failed when the client cannot be created', async () => {
    const crm = new TestCrm(3);
    const plugin = testPlugin(crm, {
      failCreateClient: new CrmsyncError('config', 'testcrm: TESTCRM_TOKEN is not set'),
    });
    const store = new InstrumentedStore();
    const result = await new SyncEngine({ store, ...quiet }).runEntity({
      plugin,
      entity: 'contacts',
      config: {},
    });
    expect(result).toMatchObject({ status: 'failed', errorKind: 'config', trigger: 'library' });
    await noneRunning(store);
  });

  it('finishes as failed with a data error on a malformed page', async () => {
    const { run, crm, store } = setup(30);
    crm.faults.set(2, { kind: 'malformed' });
    const result = await run({ batchSize: 10 });
    expect(result).toMatchObject({ status: 'failed', errorKind: 'data' });
    expect(result.errorMessage).toMatch(/testcrm contacts: page 2 is malformed/);
    await noneRunning(store);
  });

  it('fails a record without its key alone, naming crm, entity and its position', async () => {
    const { run, crm, store } = setup(3);
    crm.faults.set(1, {
      kind: 'replace',
      page: { records: [crm.rows[0], { name: 'no id' }, crm.rows[2]] },
    });
    const result = await run();
    expect(result.status).toBe('partial');
    expect(result.counts).toMatchObject({ processed: 3, created: 2, failed: 1 });
    const events = await store.listEvents(result.id);
    const error = events.find((e) => e.level === 'error');
    expect(error?.message).toMatch(/testcrm contacts: record 2 could not be mapped/);
    expect(error?.message).toMatch(/no id/);
    expect(await store.countRecords('testcrm', 'contacts')).toBe(2);
    await noneRunning(store);
  });

  it('soft-deletes the ids a page reports as deleted', async () => {
    const { run, crm, store } = setup(10);
    await run();
    crm.deletedIds = ['4', '5', 'unknown'];
    const result = await run({ force: true });
    expect(result.counts.deleted).toBe(2);
    expect((await store.getRecord('testcrm', 'contacts', '4'))?.deletedAt).toBeInstanceOf(Date);
    expect(await store.countRecords('testcrm', 'contacts')).toBe(8);
  });

  it('a none-delta entity soft-deletes rows missing from a complete read only', async () => {
    const { engine, plugin, crm, store } = setup(10);
    const sync = (options: SyncOptions = {}) =>
      engine.runEntity({ plugin, entity: 'companies', config: {}, options });
    await sync();
    crm.rows = crm.rows.filter((r) => r.id !== '3' && r.id !== '8');
    const capped = await sync({ maxRecords: 5 });
    expect(capped.counts.deleted).toBe(0);
    const dry = await sync({ dryRun: true });
    expect(dry.counts.deleted).toBe(0);
    const second = await sync();
    expect(second.mode).toBe('delta');
    expect(crm.requests.at(-1)?.since).toBeDefined();
    expect(second.counts).toMatchObject({ processed: 8, unchanged: 8, deleted: 2 });
    expect(await store.countRecords('testcrm', 'companies')).toBe(8);
    crm.faults.set(1, { kind: 'replace', page: { records: [], notModified: true } });
    const skipped = await sync();
    expect(skipped.counts.deleted).toBe(0);
    expect(await store.countRecords('testcrm', 'companies')).toBe(8);
  });

  it('a delta of an entity read in whole groups soft-deletes what the CRM removed from them', async () => {
    // Links of owners, read owner by owner (HubSpot's associations): a delta reads the owners
    // that changed, with every link each has now, and says so in completeGroups.
    interface Link {
      id: string;
      owner: string;
      email: string;
    }
    const links: Link[] = ['a:1', 'b:1', 'c:2', 'c2:2', 'd:3'].map((s) => {
      const [id = '', owner = ''] = s.split(':');
      return { id, owner, email: `${id}@example.com` };
    });
    let changed: string[] | null = null; // null: every owner (a full read)
    const plugin = defineCrmPlugin<null>({
      contractVersion: 1,
      name: 'groups',
      displayName: 'Groups',
      kind: 'api',
      config: {},
      entities: [
        defineEntity<null, Link>({
          name: 'links',
          primaryKey: 'id',
          delta: { kind: 'updated-since', field: 'updated' },
          groupedBy: ['owner'],
          fields: {
            id: { type: 'string', required: true },
            owner: { type: 'string', required: true },
            email: { type: 'email' },
          },
          async *fetch() {
            const owners = changed ?? [...new Set(links.map((l) => l.owner))];
            for (const owner of owners)
              yield { records: links.filter((l) => l.owner === owner), completeGroups: [[owner]] };
          },
        }),
      ],
      createClient: () => null,
    });
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, ...quiet });
    const run = (options: SyncOptions = {}) =>
      engine.runEntity({ plugin, entity: 'links', config: {}, options, trigger: 'cli' });
    const live = async () =>
      (
        await Promise.all(
          ['a', 'b', 'c', 'c2', 'd'].map((id) => store.getRecord('groups', 'links', id)),
        )
      )
        .filter((r) => r && r.deletedAt === null)
        .map((r) => r?.externalId);
    expect((await run()).counts.created).toBe(5);

    // b leaves owner 1, d was owner 3's only link: both are gone at the next delta.
    links.splice(
      links.findIndex((l) => l.id === 'b'),
      1,
    );
    links.splice(
      links.findIndex((l) => l.id === 'd'),
      1,
    );
    changed = ['1', '3'];
    expect((await run({ dryRun: true })).counts.deleted).toBe(0);
    const delta = await run();
    expect(delta).toMatchObject({ mode: 'delta', status: 'success' });
    expect(delta.counts.deleted).toBe(2);
    expect(await live()).toEqual(['a', 'c', 'c2']);

    // c2 leaves owner 2, but c now fails validation: that page's group is not whole, and
    // nothing of it is deleted.
    links.splice(
      links.findIndex((l) => l.id === 'c2'),
      1,
    );
    const c = links.find((l) => l.id === 'c');
    if (c) c.email = 'not an email';
    changed = ['2'];
    const strict = await run({ strictValidation: true });
    expect(strict).toMatchObject({ status: 'partial' });
    expect(strict.counts).toMatchObject({ failed: 1, deleted: 0 });
    expect(await live()).toEqual(['a', 'c', 'c2']);
    // Read whole again, c2 goes.
    const lenient = await run();
    expect(lenient.counts.deleted).toBe(1);
    expect(await live()).toEqual(['a', 'c']);

    // A group that is not [owner] as text is the plugin's mistake, named as such.
    const entity = plugin.entities[0];
    if (!entity) throw new Error('no entity');
    const original = entity.fetch;
    entity.fetch = async function* () {
      yield { records: [], completeGroups: [[1]] as unknown as string[][] };
    };
    const bad = await run();
    entity.fetch = original;
    expect(bad.status).toBe('failed');
    expect(bad.errorMessage).toContain(
      'groups links: page 1 lists completeGroups that are not [owner] values as text (got [[1]])',
    );
  });

  it('an entity whose full read lists everything soft-deletes rows missing from a full read, not a delta', async () => {
    const { run, crm, store } = setup(10, { fullReadDetectsDeletes: true });
    await run();
    crm.rows = crm.rows.filter((r) => r.id !== '3' && r.id !== '8');
    const delta = await run();
    expect(delta.mode).toBe('delta');
    expect(delta.counts.deleted).toBe(0);
    const capped = await run({ full: true, maxRecords: 5 });
    expect(capped.counts.deleted).toBe(0);
    const full = await run({ full: true });
    expect(full).toMatchObject({ mode: 'full', status: 'success' });
    expect(full.counts.deleted).toBe(2);
    expect((await store.getRecord('testcrm', 'contacts', '3'))?.deletedAt).toBeInstanceOf(Date);
    expect(await store.countRecords('testcrm', 'contacts')).toBe(8);
  });

  it('cancels at the next page and finishes as failed with the reason', async () => {
    const { run, crm, store } = setup(50);
    const controller = new AbortController();
    crm.beforePage = (page) => {
      if (page === 2) controller.abort('the user pressed Ctrl+C');
    };
    const result = await run({ batchSize: 10 }, { signal: controller.signal });
    expect(result).toMatchObject({ status: 'failed', errorKind: 'cancelled' });
    expect(result.errorMessage).toBe('cancelled: the user pressed Ctrl+C (testcrm contacts)');
    expect(result.counts.processed).toBeLessThanOrEqual(10);
    await noneRunning(store);
  });

  it('a signal aborted before the start fails the run at once', async () => {
    const { run, store } = setup(5);
    const result = await run({}, { signal: AbortSignal.abort(new Error('shutting down')) });
    expect(result.errorMessage).toBe('cancelled: shutting down (testcrm contacts)');
    expect(result.counts.processed).toBe(0);
    expect(store.writes).toHaveLength(0);
    await noneRunning(store);
  });

  it('resumes an interrupted run from its checkpoint', async () => {
    const { run, crm, store } = setup(30);
    crm.faults.set(3, { kind: 'throw', error: new Error('killed') });
    const first = await run({ batchSize: 10 });
    expect(first.checkpoint).toEqual({ offset: 20 });
    crm.faults.clear();
    const second = await run({ batchSize: 10 });
    expect(second).toMatchObject({ status: 'success', resumedFromRunId: first.id, mode: 'full' });
    expect(crm.requests[1]?.checkpoint).toEqual({ offset: 20 });
    expect(second.counts).toMatchObject({ processed: 10, created: 10 });
    expect(await store.countRecords('testcrm', 'contacts')).toBe(30);
    // The next run does not resume again: the last run succeeded.
    const third = await run({ batchSize: 10 });
    expect(third.resumedFromRunId).toBeNull();
    expect(crm.requests[2]?.checkpoint).toBeUndefined();
  });

  it('does not resume a checkpoint taken under another strategy', async () => {
    const { run, crm } = setup(30);
    crm.faults.set(2, { kind: 'throw', error: new Error('killed') });
    await run({ batchSize: 10 });
    crm.faults.clear();
    const forced = await run({ batchSize: 10, force: true });
    expect(forced.resumedFromRunId).toBeNull();
    expect(crm.requests[1]?.checkpoint).toBeUndefined();
  });

  it('keeps the resume point when a resumed run dies before writing a page', async () => {
    const { run, crm } = setup(30);
    crm.faults.set(2, { kind: 'throw', error: new Error('killed') });
    const first = await run({ batchSize: 10 });
    crm.faults.set(1, { kind: 'throw', error: new Error('killed again') });
    const second = await run({ batchSize: 10 });
    expect(second).toMatchObject({ status: 'failed', resumedFromRunId: first.id });
    expect(second.checkpoint).toEqual({ offset: 10 });
    crm.faults.clear();
    const third = await run({ batchSize: 10 });
    expect(third.resumedFromRunId).toBe(second.id);
    expect(crm.requests[2]?.checkpoint).toEqual({ offset: 10 });
  });

  it('reaps a run whose heartbeat is older than its lease, and the next run resumes it', async () => {
    const { run, engine, store, crm } = setup(30);
    const dead = await store.beginRun({
      crmSource: 'testcrm',
      syncType: 'contacts',
      mode: 'full',
      trigger: 'schedule',
      dryRun: false,
      configuration: {},
      leaseMs: 60_000,
      workerId: 'host:123',
      startTime: new Date(Date.now() - 10 * 60_000),
    });
    await store.updateRunProgress(dead.id, {
      counts: { processed: 20, created: 20, updated: 0, unchanged: 0, deleted: 0, failed: 0 },
      checkpoint: { offset: 20 },
      heartbeatAt: new Date(Date.now() - 5 * 60_000),
    });
    const alive = await store.beginRun({
      crmSource: 'testcrm',
      syncType: 'deals',
      mode: 'full',
      trigger: 'schedule',
      dryRun: false,
      configuration: {},
      leaseMs: 60_000,
    });
    const finished: SyncRun[] = [];
    engine.subscribe((e) => e.type === 'run-finished' && finished.push(e.run));
    const reaped = await engine.reapStaleRuns();
    expect(reaped.map((r) => r.id)).toEqual([dead.id]);
    expect(reaped[0]).toMatchObject({ status: 'failed', checkpoint: { offset: 20 } });
    expect(reaped[0]?.errorMessage).toMatch(/^interrupted/);
    expect(reaped[0]?.errorMessage).toMatch(/host:123/);
    expect(finished.map((r) => r.id)).toEqual([dead.id]);
    expect((await store.getRun(alive.id))?.status).toBe('running');
    expect(await engine.reapStaleRuns()).toEqual([]);
    const next = await run({ batchSize: 10 });
    expect(next.resumedFromRunId).toBe(dead.id);
    expect(crm.requests[0]?.checkpoint).toEqual({ offset: 20 });
    expect(next.counts.processed).toBe(10);
  });

  it('after a success and a delta that died, the next delta still starts from the success', async () => {
    const { run, engine, store, crm } = setup(20, { deltaOverlapMs: 1_000 });
    const ok = await run({ batchSize: 10 });
    // A delta that a dead process left running, with a stale heartbeat: it is reaped, and is
    // neither a last success (the next delta's base) nor a checkpoint a delta can resume.
    const dead = await store.beginRun({
      crmSource: 'testcrm',
      syncType: 'contacts',
      mode: 'delta',
      trigger: 'schedule',
      dryRun: false,
      configuration: {},
      leaseMs: 60_000,
      sinceTime: new Date(ok.startTime.getTime() - 1_000),
      startTime: new Date(Date.now() - 10 * 60_000),
    });
    await store.updateRunProgress(dead.id, {
      counts: { processed: 1, created: 0, updated: 1, unchanged: 0, deleted: 0, failed: 0 },
      heartbeatAt: new Date(Date.now() - 5 * 60_000),
    });
    expect((await engine.reapStaleRuns()).map((r) => r.id)).toEqual([dead.id]);
    crm.touch(['4', '17'], Date.now());
    const next = await run({ batchSize: 10 });
    expect(next).toMatchObject({ status: 'success', mode: 'delta', resumedFromRunId: null });
    expect(next.sinceTime?.getTime()).toBe(ok.startTime.getTime() - 1_000);
    expect(crm.requests.at(-1)?.since?.getTime()).toBe(ok.startTime.getTime() - 1_000);
    expect(next.counts).toMatchObject({ processed: 2, updated: 2, created: 0 });
    await noneRunning(store);
  });

  it('sends heartbeats on a timer while a slow page is fetched', async () => {
    const crm = new TestCrm(4);
    const store = new InstrumentedStore();
    const engine = new SyncEngine({ store, heartbeatIntervalMs: 10, progressIntervalMs: 0 });
    const beats: Array<Date | null> = [];
    crm.beforePage = async (page) => {
      if (page !== 1) return;
      const [running] = await store.listRuns({ status: 'running' });
      beats.push(running?.heartbeatAt ?? null);
      await new Promise((r) => setTimeout(r, 80));
      const [later] = await store.listRuns({ status: 'running' });
      beats.push(later?.heartbeatAt ?? null);
    };
    const result = await engine.runEntity({
      plugin: testPlugin(crm),
      entity: 'contacts',
      config: {},
    });
    expect(result.status).toBe('success');
    expect(beats[1]).toBeInstanceOf(Date);
    expect(beats[1]?.getTime()).toBeGreaterThan(beats[0]?.getTime() ?? 0);
    expect(result.heartbeatAt).toBeInstanceOf(Date);
  });

  it('logs validation warnings (lenient), fails records (strict), checks nothing (skip)', async () => {
    const { run, crm, store } = setup(4);
    const row = crm.rows[1];
    if (!row) throw new Error('row missing');
    row.email = 'not-an-email';
    const lenient = await run();
    expect(lenient.status).toBe('success');
    expect(lenient.performanceMetrics?.validationWarnings).toBe(1);
    expect((await store.getRecord('testcrm', 'contacts', '2'))?.data.email).toBe('not-an-email');
    const warning = (await store.listEvents(lenient.id)).find((e) => e.level === 'warn');
    expect(warning).toMatchObject({
      recordId: '2',
      message:
        "Validation warning for field 'email' with value 'not-an-email' (Record: id=2): not a valid email address",
    });
    const strict = await run({ force: true, strictValidation: true });
    expect(strict.status).toBe('partial');
    expect(strict.counts).toMatchObject({ processed: 4, failed: 1, unchanged: 3 });
    const skip = await run({ force: true, skipValidation: true });
    expect(skip.status).toBe('success');
    expect(skip.performanceMetrics?.validationWarnings).toBeUndefined();
  });

  it('caps validation warnings in the log and counts the rest', async () => {
    const { run, crm, store } = setup(150);
    for (const row of crm.rows) row.email = 'bad';
    const result = await run({ batchSize: 50 });
    expect(result.performanceMetrics?.validationWarnings).toBe(150);
    const warnings = (await store.listEvents(result.id)).filter((e) => e.level === 'warn');
    expect(warnings).toHaveLength(101);
    expect(warnings.at(-1)?.message).toMatch(/more than 100 validation warnings/);
  });

  it('resolves with the run even when finishing it fails, and the run is reaped later', async () => {
    const { run, store, engine } = setup(5);
    store.failFinish = 1;
    const result = await run();
    expect(result.status).toBe('success');
    expect((await store.getRun(result.id))?.status).toBe('running');
    const reaped = await engine.reapStaleRuns(new Date(Date.now() + 120_000));
    expect(reaped.map((r) => r.id)).toEqual([result.id]);
    await noneRunning(store);
  });

  it('refuses, not reaps, a run of this process whose begin has not been answered yet', async () => {
    const { run, store } = setup(5);
    store.beginAnswerDelayMs = 50;
    const raced = await Promise.allSettled([run(), run(), run()]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = raced.filter((r) => r.status === 'rejected');
    expect(refused.map((r) => (r.reason as Error).name)).toEqual([
      'RunAlreadyRunningError',
      'RunAlreadyRunningError',
    ]);
    expect((await store.listRuns({})).map((r) => r.status)).toEqual(['success']);
  });

  it('refuses an unknown entity or bad options before any history row exists', async () => {
    const { run, engine, plugin, store } = setup(5);
    await expect(
      engine.runEntity({ plugin, entity: 'contacts_sync', config: {} }),
    ).rejects.toBeInstanceOf(InputError);
    await expect(run({ batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(run({ maxRecords: 2.5 })).rejects.toThrow(/maxRecords/);
    await expect(run({ startDate: new Date('nope') })).rejects.toThrow(/startDate/);
    await expect(
      run({ startDate: new Date('2026-02-02'), endDate: new Date('2026-02-01') }),
    ).rejects.toThrow(/endDate/);
    await expect(run({ skipValidation: true, strictValidation: true })).rejects.toThrow(InputError);
    await expect(engine.runAll({ plugin, config: {}, entities: ['nope'] })).rejects.toThrow(/nope/);
    expect(await store.listRuns()).toEqual([]);
  });

  it('runs all entities in dependsOn order and goes on after one fails', async () => {
    const { engine, plugin, crm } = setup(5);
    crm.beforePage = (_page, request) => {
      if (request.mode === 'full' && crm.requests.length === 2) throw new Error('companies broke');
    };
    const runs = await engine.runAll({ plugin, config: {}, trigger: 'schedule' });
    expect(runs.map((r) => r.syncType)).toEqual(['contacts', 'companies', 'deals']);
    expect(runs.map((r) => r.status)).toEqual(['success', 'failed', 'success']);
    expect(runs.every((r) => r.trigger === 'schedule')).toBe(true);
    const only = await engine.runAll({ plugin, config: {}, entities: ['deals'] });
    expect(only.map((r) => r.syncType)).toEqual(['deals']);
  });

  it('reuses a client it is given and does not close it', async () => {
    const { run, crm } = setup(5);
    const metrics = createRequestMetrics();
    const result = await run({}, { client: { crm, metrics } });
    expect(result.status).toBe('success');
    expect(crm.clientsCreated).toBe(0);
    expect(crm.clientsClosed).toBe(0);
    expect(metrics.apiCalls).toBe(1);
  });

  it('orders entities by dependsOn and refuses a cycle', () => {
    const e = (name: string, dependsOn?: string[]) => ({ name, dependsOn });
    expect(orderEntities([e('a', ['c']), e('b'), e('c', ['b'])], 'x').map((x) => x.name)).toEqual([
      'b',
      'c',
      'a',
    ]);
    expect(() => orderEntities([e('a', ['b']), e('b', ['a'])], 'x')).toThrow(/cycle/);
  });
});
