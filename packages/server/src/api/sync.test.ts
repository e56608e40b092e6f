import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CALLRAIL_SECRET,
  collect,
  startTestApi,
  type TestApi,
  testProviders,
} from './test-support.js';

const providers = await testProviders();

const START = `mutation($input: StartSyncInput!) { startSync(input: $input) {
  __typename
  ... on Error { message }
  ... on FieldError { field expected }
  ... on SyncAlreadyRunning { runId crm entity }
  ... on MutationStartSyncSuccess { data { runId crm entity run { id status trigger syncType } } } } }`;
const CANCEL = `mutation($id: ID!) { cancelSync(runId: $id) {
  __typename
  ... on Error { message }
  ... on FieldError { field expected }
  ... on MutationCancelSyncSuccess { data { id status errorKind errorMessage endTime } } } }`;
const RUN =
  'query($id: ID!) { run(id: $id) { id status trigger recordsProcessed recordsCreated endTime } }';

interface Progress {
  runProgress: {
    runId: string;
    recordsProcessed: number;
    estimatedTotal: number | null;
    recordsPerSecond: number;
    pages: number;
  };
}
interface Finished {
  runFinished: { runId: string; status: string; run: { recordsProcessed: number } };
}
interface LogEvent {
  runEvents: { runId: string; level: string; message: string };
}

describe.each(providers)('startSync, cancelSync and live subscriptions on %s', (provider) => {
  let t: TestApi;
  const texts: string[] = [];
  beforeAll(async () => {
    // 120 calls read 10 a page, 40 ms a response: a run of a dozen pages that can be watched.
    t = await startTestApi({
      provider,
      callrailSize: 120,
      callrailLatencyMs: 40,
    });
  });
  afterAll(async () => {
    await t?.close();
    for (const text of texts) expect(text).not.toContain(CALLRAIL_SECRET);
  });

  async function start(input: Record<string, unknown>) {
    const res = await t.gql(START, { input });
    texts.push(res.text);
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.startSync as Record<string, unknown> & {
      data?: { runId: string; run: Record<string, unknown> };
    };
  }

  async function waitFinished(runId: string) {
    for (let i = 0; i < 200; i++) {
      const res = await t.gql(RUN, { id: runId });
      const run = res.body.data!.run as { status: string };
      if (run.status !== 'running') return res.body.data!.run as Record<string, unknown>;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`run ${runId} did not finish`);
  }

  it('streams live progress, log lines and the finish of a sync started through the mutation', async () => {
    const client = t.ws();
    const progress = collect<Progress>(
      client,
      'subscription { runProgress(crm: "callrail") { runId recordsProcessed estimatedTotal recordsPerSecond pages } }',
      {},
      (items) => items.length >= 3,
    );
    const finished = collect<Finished>(
      client,
      'subscription { runFinished(crm: "callrail") { runId status run { recordsProcessed } } }',
      {},
      (items) => items.length >= 1,
    );
    const logs = collect<LogEvent>(
      client,
      'subscription { runEvents(crm: "callrail") { runId level message } }',
      {},
      (items) => items.length >= 1,
    );
    const starts = collect<{ runStarted: { runId: string; status: string; syncType: string } }>(
      client,
      'subscription { runStarted(crm: "callrail") { runId status syncType } }',
      {},
      (items) => items.length >= 1,
    );
    await t.listening(4);

    const started = await start({ crm: 'callrail', entity: 'calls', batchSize: 10, full: true });
    expect(started.__typename).toBe('MutationStartSyncSuccess');
    const runId = started.data!.runId;
    expect(started.data!.run).toEqual({
      id: runId,
      status: 'running',
      trigger: 'api',
      syncType: 'calls',
    });

    expect((await starts.done)[0]!.runStarted).toEqual({
      runId,
      status: 'running',
      syncType: 'calls',
    });
    const ticks = (await progress.done).map((p) => p.runProgress);
    expect(ticks.every((p) => p.runId === runId)).toBe(true);
    const counts = ticks.map((p) => p.recordsProcessed);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(ticks.some((p) => p.recordsProcessed > 0 && p.recordsPerSecond > 0)).toBe(true);
    expect((await logs.done)[0]!.runEvents).toMatchObject({ runId, level: 'info' });

    const [done] = (await finished.done).map((f) => f.runFinished);
    expect(done).toMatchObject({ runId, status: 'success' });
    const run = await waitFinished(runId);
    expect(run).toMatchObject({ status: 'success', trigger: 'api' });
    expect(run.recordsProcessed).toBeGreaterThan(0);
    expect(done!.run.recordsProcessed).toBe(run.recordsProcessed);
    expect(run.recordsCreated).toBe(await t.store.countRecords('callrail', 'calls'));
  });

  it('refuses a second start of a running CRM entity with the running run’s id, then cancels it', async () => {
    const first = await start({ crm: 'callrail', entity: 'calls', batchSize: 10, force: true });
    const runId = first.data!.runId;
    const second = await start({ crm: 'callrail', entity: 'calls' });
    expect(second).toMatchObject({
      __typename: 'SyncAlreadyRunning',
      runId,
      crm: 'callrail',
      entity: 'calls',
    });
    expect(second.message).toContain(runId);
    const all = await start({ crm: 'callrail', entity: 'all' });
    expect(all).toMatchObject({ __typename: 'SyncAlreadyRunning', runId, entity: 'calls' });

    const cancelled = await t.gql(CANCEL, { id: runId });
    texts.push(cancelled.text);
    const result = cancelled.body.data!.cancelSync as {
      __typename: string;
      data: Record<string, unknown>;
    };
    expect(result.__typename).toBe('MutationCancelSyncSuccess');
    expect(result.data).toMatchObject({ id: runId, status: 'failed', errorKind: 'cancelled' });
    expect(result.data.errorMessage).toMatch(/cancel/i);
    expect(result.data.endTime).not.toBeNull();

    const again = await t.gql(CANCEL, { id: runId });
    expect(again.body.data!.cancelSync).toMatchObject({
      __typename: 'FieldError',
      field: 'runId',
      expected: 'a run that is still running',
    });
    const unknown = await t.gql(CANCEL, { id: 'no-such-run' });
    expect(unknown.body.data!.cancelSync).toMatchObject({ __typename: 'NotFound' });

    const restarted = await start({ crm: 'callrail', entity: 'companies' });
    expect(restarted.__typename).toBe('MutationStartSyncSuccess');
    await waitFinished(restarted.data!.runId);
  });

  it('validates every flag and plugin option, naming the field and what was expected', async () => {
    const before = await t.store.prisma.syncHistory.count();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ crm: 'pipedrive', entity: 'deals' }, 'crm', 'one of the installed CRMs: callrail'],
      [{ crm: 'callrail', entity: 'deals' }, 'entity', "all, or one of callrail's entities"],
      [
        { crm: 'callrail', entity: 'calls', batchSize: 0 },
        'batch-size',
        'a whole number from 1 to 10000',
      ],
      [
        { crm: 'callrail', entity: 'calls', maxRecords: -5 },
        'max-records',
        'a whole number of at least 1',
      ],
      [
        { crm: 'callrail', entity: 'calls', startDate: '31/01/2025' },
        'start-date',
        'a date as YYYY-MM-DD',
      ],
      [
        { crm: 'callrail', entity: 'calls', startDate: '2025-02-01', endDate: '2025-01-01' },
        'end-date',
        'a date on or after --start-date 2025-02-01',
      ],
      [
        { crm: 'callrail', entity: 'calls', full: true, force: true },
        'force',
        'either --force or --full',
      ],
      [
        { crm: 'callrail', entity: 'calls', skipValidation: true, strictValidation: true },
        'strict-validation',
        'either --skip-validation or --strict-validation',
      ],
      [
        { crm: 'callrail', entity: 'calls', pluginOptions: { turbo: true } },
        'turbo',
        "one of callrail's options",
      ],
      [
        { crm: 'callrail', entity: 'calls', pluginOptions: [1, 2] },
        'pluginOptions',
        'a JSON object',
      ],
    ];
    for (const [input, field, expected] of cases) {
      const result = await start(input);
      expect(result.__typename, JSON.stringify(input)).toBe('FieldError');
      expect(result.field, JSON.stringify(input)).toBe(field);
      expect(result.expected, JSON.stringify(input)).toContain(expected);
    }
    expect(await t.store.prisma.syncHistory.count()).toBe(before);
  });
});

describe('shutting the API server down', () => {
  it('cancels the syncs it started and waits for their rows to be finished', async () => {
    const t = await startTestApi({
      provider: 'sqlite',
      callrailSize: 120,
      callrailLatencyMs: 40,
    });
    try {
      const res = await t.gql(START, {
        input: { crm: 'callrail', entity: 'calls', batchSize: 10 },
      });
      const runId = (res.body.data!.startSync as { data: { runId: string } }).data.runId;
      await t.api.close();
      const run = await t.store.getRun(runId);
      expect(run).toMatchObject({ status: 'failed', errorKind: 'cancelled' });
      expect(run!.errorMessage).toContain('The API server is shutting down');
    } finally {
      await t.close();
    }
  });
});
