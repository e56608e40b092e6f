import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, SyncEngine } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AthenaFake, athenaConfig, parseId, vaultRow, vaultTime } from './fake-server/index.js';
import salesproPlugin from './index.js';
import { parseLeadResults } from './lead-results.js';

const fakes: AthenaFake[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

async function start(options: ConstructorParameters<typeof Object>[0] = {}) {
  const fake = await AthenaFake.start(options as never);
  fakes.push(fake);
  return fake;
}

function sync(
  config: Record<string, unknown>,
  entity: string,
  options = {},
  store = new MemoryStore(),
) {
  const engine = new SyncEngine({ store, heartbeatIntervalMs: 60_000, progressIntervalMs: 0 });
  return {
    store,
    run: engine.runEntity({ plugin: salesproPlugin, entity, config, options, trigger: 'cli' }),
  };
}

const T0 = Date.UTC(2025, 2, 1, 12, 0, 0, 125);

describe('salespro through Athena', () => {
  it('runs the query, polls it to SUCCEEDED, drops the header row and types every string', async () => {
    const fake = await start();
    fake.insert(
      'estimate',
      Array.from({ length: 5 }, (_, i) => vaultRow('estimate', i + 1, T0 + i * 60_000)),
    );
    fake.insert('estimate', [{ ...vaultRow('estimate', 9, T0 + 3_600_000), bank_name: null }]);
    const { run, store } = sync(athenaConfig(fake), 'estimates', { batchSize: 4 });
    const result = await run;
    expect(result.errorMessage).toBeNull();
    expect(result.counts.processed).toBe(6);
    // Pages of 4 rows: the first holds the header and 3 records.
    expect(fake.maxResults).toEqual([4, 4]);
    expect(fake.queries).toEqual([
      expect.stringMatching(
        /^SELECT "estimate_id", .* FROM "estimate" ORDER BY "updated_at", "estimate_id"$/,
      ),
    ]);
    const first = await store.getRecord('salespro', 'estimates', parseId('estimate', 1));
    expect(first?.data).toMatchObject({
      estimate_id: parseId('estimate', 1),
      sale_amount: 1001.5,
      is_sale: true,
      document_count: 1,
      state: 'NJ',
      zip_code: '19001',
      created_at: new Date(T0).toISOString(),
    });
    const nine = await store.getRecord('salespro', 'estimates', parseId('estimate', 9));
    expect(nine?.data.bank_name).toBeNull();
    expect(result.performanceMetrics?.apiCalls).toBeGreaterThanOrEqual(1 + 2 + 2);
  });

  it("a delta asks updated_at > timestamp '…' exclusively and the engine gets only later rows", async () => {
    const fake = await start();
    fake.insert('estimate', [
      vaultRow('estimate', 1, T0 - 1),
      vaultRow('estimate', 2, T0),
      vaultRow('estimate', 3, T0 + 1),
    ]);
    const config = athenaConfig(fake);
    const engine = new SyncEngine({
      store: new MemoryStore(),
      heartbeatIntervalMs: 60_000,
      progressIntervalMs: 0,
    });
    const run = await engine.runEntity({
      plugin: salesproPlugin,
      entity: 'estimates',
      config,
      options: { startDate: new Date(T0) },
      trigger: 'cli',
    });
    expect(run.errorMessage).toBeNull();
    expect(fake.queries[0]).toContain(`WHERE "updated_at" > timestamp '${vaultTime(T0)}'`);
    expect(run.counts.processed).toBe(1);
  });

  it("a FAILED query fails the run with Athena's reason: a USER error as config, a retryable one as transient", async () => {
    const fake = await start({ without: ['payments'] });
    const missing = await sync(athenaConfig(fake), 'payments').run;
    expect(missing).toMatchObject({ status: 'failed', errorKind: 'config' });
    expect(missing.errorMessage).toMatch(/FAILED: TABLE_NOT_FOUND.*payments/);

    fake.nextQuery({
      kind: 'fail',
      reason: 'INTERNAL_ERROR_QUERY_ENGINE: worker lost',
      retryable: true,
    });
    const transient = await sync(athenaConfig(fake), 'estimates').run;
    expect(transient).toMatchObject({ status: 'failed', errorKind: 'transient' });
    expect(transient.errorMessage).toContain('worker lost');
  });

  it('a CANCELLED query fails the run as transient, saying so', async () => {
    const fake = await start();
    fake.nextQuery({ kind: 'cancel', reason: 'Query was cancelled by user' });
    const run = await sync(athenaConfig(fake), 'customers').run;
    expect(run).toMatchObject({ status: 'failed', errorKind: 'transient' });
    expect(run.errorMessage).toMatch(/CANCELLED: Query was cancelled by user/);
  });

  it('a run stopped while its query runs stops the query at Athena', async () => {
    const fake = await start({ pollsToRun: 1_000_000 });
    const stop = new AbortController();
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, heartbeatIntervalMs: 60_000, progressIntervalMs: 0 });
    const running = engine.runEntity({
      plugin: salesproPlugin,
      entity: 'estimates',
      config: athenaConfig(fake),
      options: {},
      trigger: 'cli',
      signal: stop.signal,
    });
    while (fake.executions.size === 0 || [...fake.executions.values()][0]?.polls === 0)
      await new Promise((r) => setTimeout(r, 5));
    stop.abort(new Error('stopped by the test'));
    expect((await running).status).toBe('failed');
    await new Promise((r) => setTimeout(r, 50));
    expect([...fake.executions.values()][0]?.state).toBe('CANCELLED');
  });

  it('SigV4: another secret fails as auth (InvalidSignatureException), an unknown key too', async () => {
    const fake = await start();
    const badSecret = 'wrong/secret/wrong/secret/wrong/secret/00';
    const bad = await sync(
      { ...athenaConfig(fake), SALESPRO_SECRET_ACCESS_KEY: badSecret },
      'estimates',
    ).run;
    expect(bad).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(bad.errorMessage).toContain('InvalidSignatureException');
    expect(bad.errorMessage).not.toContain(badSecret);
    const unknown = await sync(
      { ...athenaConfig(fake), SALESPRO_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000' },
      'estimates',
    ).run;
    expect(unknown).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(unknown.errorMessage).toContain('UnrecognizedClientException');
    expect(fake.queries).toEqual([]);
  });

  it('resumes paging the same query (no new StartQueryExecution) after an interruption', async () => {
    const fake = await start();
    fake.insert(
      'estimate',
      Array.from({ length: 20 }, (_, i) => vaultRow('estimate', i + 1, T0 + i * 1000)),
    );
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, heartbeatIntervalMs: 60_000, progressIntervalMs: 0 });
    const stop = new AbortController();
    const first = await engine.runEntity({
      plugin: salesproPlugin,
      entity: 'estimates',
      config: athenaConfig(fake),
      options: { batchSize: 5 },
      trigger: 'cli',
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'run-progress' && e.pages >= 2) stop.abort(new Error('interrupted'));
      },
    });
    expect(first.status).toBe('failed');
    const second = await engine.runEntity({
      plugin: salesproPlugin,
      entity: 'estimates',
      config: athenaConfig(fake),
      options: { batchSize: 5 },
      trigger: 'cli',
    });
    expect(second.resumedFromRunId).toBe(first.id);
    expect(await store.countRecords('salespro', 'estimates')).toBe(20);
    expect(fake.queries).toHaveLength(1);
  });

  it('refuses MaxResults above 1,000 (the plugin caps the batch size to it)', async () => {
    const fake = await start();
    fake.insert(
      'customer',
      Array.from({ length: 3 }, (_, i) => vaultRow('customer', i + 1, T0)),
    );
    const run = await sync(athenaConfig(fake), 'customers', { batchSize: 5000 }).run;
    expect(run.errorMessage).toBeNull();
    expect(fake.maxResults).toEqual([1000]);
  });
});

describe('salespro lead results', () => {
  it("parses the question/answer blob into the seeds' columns, typed, keeping unknown questions", () => {
    const parsed = parseLeadResults(
      JSON.stringify({
        'Appointment Result': 'Demo Sold',
        'Both Homeowners Present?': 'Yes',
        'Financing Approved': 'no',
        Financing: 'GreenSky',
        'Job Size': '$12,500.00',
        'Did you complete your ST-8 Form Before leaving house?': 'Yes',
        'Measurement Tool(s) Used': 'Hover',
        'Favourite colour': 'blue',
      }),
    );
    expect(parsed).toMatchObject({
      appointment_result: 'Demo Sold',
      both_homeowners_present: true,
      financing_approved: false,
      financing: 'GreenSky',
      job_size: 12500,
      st8_completed: true,
      measurement_tool: 'Hover',
      closing_notes: null,
      other_answers: { 'Favourite colour': 'blue' },
    });
    expect(
      parseLeadResults(
        JSON.stringify([
          { question: 'Job Size', answer: '900' },
          { question: 'Notes', answer: 'x' },
        ]),
      ),
    ).toMatchObject({ job_size: 900, notes: 'x' });
    expect(parseLeadResults('Appointment Result: No Demo\nDeposit Amount: 250')).toMatchObject({
      appointment_result: 'No Demo',
      deposit_amount: 250,
    });
    expect(parseLeadResults(null).appointment_result).toBeNull();
  });

  it('lead_results sync on created_at and store the parsed columns', async () => {
    const fake = await start();
    fake.insert('lead_results', [vaultRow('lead_results', 1, T0)]);
    const { run, store } = sync(athenaConfig(fake), 'lead_results');
    expect((await run).errorMessage).toBeNull();
    expect(fake.queries[0]).toContain('ORDER BY "created_at", "estimate_id"');
    const row = await store.getRecord('salespro', 'lead_results', parseId('lead_results', 1));
    expect(row?.data).toMatchObject({
      appointment_result: 'Demo Sold',
      job_size: 11500,
      financing_approved: true,
      notes_for_install_team: 'Gate code 1',
      other_answers: { 'Favourite colour': 'blue' },
    });
  });
});

describe('salespro CSV exports', () => {
  it('reads the users export (header row, empty cells null, JSON cells parsed) and soft-deletes a user gone from the next one', async () => {
    const fake = await start();
    const dir = await mkdtemp(join(tmpdir(), 'salespro-csv-'));
    try {
      const file = join(dir, 'users.csv');
      const header =
        'objectId,username,nameFirst,nameLast,email,isActive,isManager,allowedOffices,createdAt,updatedAt,unknownColumn';
      const line = (n: number) =>
        `u${n}aaaaaaaa,rep${n},First${n},"Last, ${n}",rep${n}@example.com,true,false,"[{""objectId"":""o1""}]",2024-01-0${n}T10:00:00.000Z,2024-02-0${n}T10:00:00.000Z,x`;
      await writeFile(file, `\ufeff${header}\n${[1, 2, 3].map(line).join('\n')}\n`);
      const config = athenaConfig(fake, { SALESPRO_USERS_CSV: file });
      const store = new MemoryStore();
      const first = await sync(config, 'users', {}, store).run;
      expect(first.errorMessage).toBeNull();
      expect(first.counts.created).toBe(3);
      expect((await store.getRecord('salespro', 'users', 'u2aaaaaaaa'))?.data).toMatchObject({
        nameLast: 'Last, 2',
        isActive: true,
        allowedOffices: [{ objectId: 'o1' }],
      });
      await writeFile(file, `${header}\n${[1, 3].map(line).join('\n')}\n`);
      const second = await sync(config, 'users', {}, store).run;
      expect(second.counts.deleted).toBe(1);
      expect((await store.getRecord('salespro', 'users', 'u2aaaaaaaa'))?.deletedAt).toBeInstanceOf(
        Date,
      );
      const none = await sync(athenaConfig(fake), 'offices').run;
      expect(none).toMatchObject({ status: 'failed', errorKind: 'config' });
      expect(none.errorMessage).toContain('SALESPRO_OFFICES_CSV');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
