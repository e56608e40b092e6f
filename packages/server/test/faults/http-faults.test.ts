import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type StoredRecord, SyncEngine, type SyncRun } from '@crmsync/core';
import {
  type FaultProxy,
  type ProxyFaultRule,
  MemoryStore,
  startFaultProxy,
} from '@crmsync/core/testing';
import { type FakerServer, fakerPlugin, startFakerServer } from '@crmsync/plugin-faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Crmsync, createCrmsync } from '../../src/app.js';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  postgresSkipReason,
  type TestDatabase,
} from '../../src/store/test-databases.js';

// The HTTP half of the fault suite (issue 20, item 6): real syncs of the faker CRM through a
// scripted fault proxy, on SQLite and PostgreSQL. After each case the store must hold exactly
// what a clean read of the CRM gives, the history must say what happened, and no run may be
// left running. Timeouts and backoffs are short so the whole file takes seconds.

const SIZE = 40;
const BATCH = 10;
const TOKEN = 'fault-suite-token';
const ENTITY = 'contacts';
const CONTACTS = /^\/v1\/contacts\b/;
const LATER_PAGES = /^\/v1\/contacts\?.*\bafter=/;

interface Case {
  name: string;
  rules: ProxyFaultRule[];
  /** History of the case's runs, newest last: status and kind, and what the message says. */
  expect: Array<{ status: SyncRun['status']; kind?: string; message?: RegExp }>;
}

const cases: Case[] = [
  {
    name: 'two 500s',
    rules: [{ fault: { kind: 'status' }, times: 2 }],
    expect: [{ status: 'success' }],
  },
  {
    name: '502 with an HTML body',
    rules: [{ fault: { kind: 'html' }, times: 2 }],
    expect: [{ status: 'success' }],
  },
  {
    name: 'malformed JSON',
    rules: [{ fault: { kind: 'malformed-json' }, times: 2, match: LATER_PAGES }],
    expect: [{ status: 'success' }],
  },
  {
    name: 'a truncated body',
    rules: [{ fault: { kind: 'truncated' }, times: 2, match: LATER_PAGES }],
    expect: [{ status: 'success' }],
  },
  {
    name: 'connection resets',
    rules: [{ fault: { kind: 'reset' }, times: 2 }],
    expect: [{ status: 'success' }],
  },
  {
    name: 'stalled headers',
    rules: [{ fault: { kind: 'stall-headers' }, match: LATER_PAGES }],
    expect: [{ status: 'success' }],
  },
  {
    name: 'a stalled body',
    rules: [{ fault: { kind: 'stall-body' }, match: LATER_PAGES }],
    expect: [{ status: 'success' }],
  },
  {
    name: 'a burst of 429s with Retry-After',
    rules: [{ fault: { kind: 'rate-limit', retryAfterSeconds: 0.05 }, times: 4 }],
    expect: [{ status: 'success' }],
  },
  {
    // Every attempt of the second page fails: the run fails saying so, the rerun finishes it.
    name: '500s outlasting the retries, then a rerun',
    rules: [{ fault: { kind: 'status', status: 503 }, times: 6, match: LATER_PAGES }],
    expect: [
      {
        status: 'failed',
        kind: 'transient',
        message:
          /^faker contacts: server error \(HTTP 503\) on GET \/v1\/contacts: injected server error$/,
      },
      { status: 'success' },
    ],
  },
  {
    name: 'a CRM that stalls every attempt, then a rerun',
    rules: [{ fault: { kind: 'stall-headers' }, times: 6, match: LATER_PAGES }],
    expect: [
      {
        status: 'failed',
        kind: 'transient',
        message:
          /^faker contacts: no answer within 300 ms to GET \/v1\/contacts: waited for an answer/,
      },
      { status: 'success' },
    ],
  },
];

/** Totals over the file, for the figures. */
const figures = { faults: 0, lost: 0, duplicated: 0, leftRunning: 0, crashes: 0, runs: 0 };
let faker: FakerServer;
/** What a clean read of the CRM stores: external id → record. */
const source = new Map<string, StoredRecord>();

// A fault must never escape as an unhandled error (the CLI would die on one).
const crashed = (error: unknown) => {
  figures.crashes++;
  console.error('unhandled during the HTTP fault suite', error);
};

beforeAll(async () => {
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);
  faker = await startFakerServer({ size: SIZE, seed: 7, changesPerMinute: 0, token: TOKEN });
  const store = new MemoryStore();
  const run = await new SyncEngine({ store }).runEntity({
    plugin: fakerPlugin,
    entity: ENTITY,
    config: {
      baseUrl: faker.url,
      token: TOKEN,
      size: SIZE,
      seed: 7,
      changesPerMinute: 0,
      requestsPerSecond: 1000,
    },
    options: { full: true, batchSize: BATCH },
  });
  expect(run.status).toBe('success');
  for (let id = 1; id <= SIZE; id++) {
    const record = await store.getRecord('faker', ENTITY, String(id));
    if (record) source.set(record.externalId, record);
  }
  expect(source.size).toBe(SIZE);
});
afterAll(async () => {
  await faker?.close();
  process.off('uncaughtException', crashed);
  process.off('unhandledRejection', crashed);
  console.info(`HTTP fault suite figures: ${JSON.stringify(figures)}`);
  expect(figures).toMatchObject({ lost: 0, duplicated: 0, leftRunning: 0, crashes: 0 });
});

const pgSkip = await postgresSkipReason('the HTTP fault suite on PostgreSQL');
const providers = ['sqlite', ...(pgSkip ? [] : ['postgresql'])] as const;

describe.each(providers)('syncing the faker CRM through a fault proxy, on %s', (provider) => {
  let db: TestDatabase;
  let cwd: string;
  let proxy: FaultProxy;
  let app: Crmsync;
  beforeAll(async () => {
    db =
      provider === 'postgresql' ? await createPostgresTestDatabase() : createSqliteTestDatabase();
    cwd = mkdtempSync(path.join(tmpdir(), 'crmsync-http-faults-'));
    proxy = await startFaultProxy(faker.url);
    app = await createCrmsync({
      cwd,
      database: db.url,
      plugins: [fakerPlugin],
      env: {
        FAKER_BASE_URL: proxy.url,
        FAKER_TOKEN: TOKEN,
        FAKER_REQUESTS_PER_SECOND: '1000',
        FAKER_TIMEOUT_MS: '300',
        FAKER_PAGE_BUDGET_MS: '5000',
        FAKER_BACKOFF_MS: '5',
      },
      log: { sink: () => {} },
    });
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await db?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it.each(cases)('$name: the store equals the source, the history tells the truth', async (c) => {
    await app.store.prisma.crmRecord.deleteMany({});
    await app.store.prisma.syncEvent.deleteMany({});
    await app.store.prisma.syncHistory.deleteMany({});
    const before = { ...proxy.injected };
    proxy.inject(...c.rules.map((r) => ({ match: CONTACTS, ...r })));
    for (const _ of c.expect) {
      const runs = await app.sync('faker', ENTITY, { full: true, batchSize: BATCH });
      figures.runs += runs.length;
    }
    expect(proxy.pending()).toBe(0);
    const injected = c.rules.reduce((n, r) => n + (r.times ?? 1), 0);
    const served = Object.entries(proxy.injected).reduce(
      (n, [kind, count]) => n + count - before[kind as keyof typeof before],
      0,
    );
    expect(served).toBe(injected);
    figures.faults += served;

    const history = (await app.history({ crm: 'faker' })).reverse();
    figures.leftRunning += history.filter((r) => r.status === 'running').length;
    expect(history.map((r) => r.status)).toEqual(c.expect.map((e) => e.status));
    for (const [i, e] of c.expect.entries()) {
      const run = history[i];
      expect(run?.errorKind ?? undefined).toBe(e.kind);
      if (e.message) expect(run?.errorMessage).toMatch(e.message);
      else expect(run?.errorMessage).toBeNull();
    }

    const stored = await app.store.countRecords('faker', ENTITY);
    let found = 0;
    for (const [id, expected] of source) {
      const record = await app.store.getRecord('faker', ENTITY, id);
      if (!record) continue;
      found++;
      expect(record.data, `${provider} contacts ${id}`).toEqual(expected.data);
      expect(record.hash).toBe(expected.hash);
    }
    figures.lost += SIZE - found;
    figures.duplicated += stored - found;
    expect({ stored, found }).toEqual({ stored: SIZE, found: SIZE });
  });
});
