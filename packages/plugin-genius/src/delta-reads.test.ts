import { createRequestMetrics, type FetchRequest, SyncEngine } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeniusClient, type GeniusRow } from './client.js';
import { DEFAULT_ADMIN_URL, GeniusTestDatabase, MysqlProxy } from './fake-server/index.js';
import { memoryLogger, skipReason } from './fake-server/test-env.js';
import geniusPlugin from './index.js';
import { offsetMs } from './timezone.js';

const TZ = 'America/New_York';
const APPOINTMENT = { table: 'appointment', key: 'id', deltaColumn: 'updated_at' } as const;

function request(overrides: Partial<FetchRequest> = {}): FetchRequest {
  return {
    mode: 'full',
    batchSize: 10,
    signal: new AbortController().signal,
    options: {},
    logger: memoryLogger(),
    ...overrides,
  };
}

async function read(iterable: AsyncIterable<{ records: GeniusRow[] }>) {
  const pages: GeniusRow[][] = [];
  for await (const page of iterable) pages.push(page.records);
  return { pages, rows: pages.flat() };
}

/** New York's offset right now, as MySQL writes a fixed offset (`-05:00`). */
function newYorkOffset(): string {
  const minutes = offsetMs(new Date(), TZ) / 60_000;
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

// A customer's database is theirs: this one has no index on `appointment.updated_at`, and its
// naive DATETIMEs are New York wall-clock times.
describe.skipIf(skipReason !== null)('Genius reads on a database without delta indexes', () => {
  let db: GeniusTestDatabase;
  let proxy: MysqlProxy;
  let client: GeniusClient;

  beforeAll(async () => {
    db = await GeniusTestDatabase.create({ timeZone: TZ, size: 60 });
    await db.execute('ALTER TABLE appointment DROP INDEX ix_updated');
    const admin = new URL(DEFAULT_ADMIN_URL);
    proxy = await MysqlProxy.start(admin.hostname, Number(admin.port || 3306));
    const url = new URL(db.url);
    url.port = String(proxy.port);
    client = GeniusClient.connect({
      url: url.toString(),
      timeZone: TZ,
      logger: memoryLogger(),
      metrics: createRequestMetrics(),
    });
  });
  afterAll(async () => {
    await client?.close();
    await proxy?.close();
    await db?.drop();
  });

  const readsOf = (table: string) =>
    proxy.queries.filter((q) => q.startsWith('SELECT') && q.includes(`FROM \`${table}\``));

  async function explain(sql: string) {
    const conn = await mysql.createConnection({ uri: db.url });
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(`EXPLAIN ${sql}`);
      return rows;
    } finally {
      await conn.end();
    }
  }

  it('streams a full read as one query on the primary key, cut into pages of the batch size', async () => {
    proxy.queries.length = 0;
    const { pages, rows } = await read(client.stream(APPOINTMENT, request({ batchSize: 13 })));
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(pages.map((p) => p.length)).toEqual([13, 13, 13, 13, 8]);
    const reads = readsOf('appointment');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/ORDER BY `id`$/);
  });

  it('reads a delta on an unindexed column in one pass over the key — no sort, no query per page', async () => {
    const since = new Date(Date.now() - 1000);
    const touched = await db.touch('appointment', 'id', 7);
    proxy.queries.length = 0;
    const { rows } = await read(
      client.stream(APPOINTMENT, request({ mode: 'delta', since, batchSize: 3 })),
    );
    expect(rows.map((r) => String(r.id)).sort()).toEqual([...touched].sort());
    const reads = readsOf('appointment');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/WHERE `updated_at` >= '[^']+' ORDER BY `id`$/);
    const plan = await explain(reads[0] as string);
    expect(plan.map((r) => String(r.Extra ?? ''))).not.toContainEqual(
      expect.stringMatching(/filesort/),
    );
  });

  it('walks (update time, key) where the update time leads an index', async () => {
    const since = new Date(Date.now() - 1000);
    const touched = await db.touch('job', 'id', 5);
    proxy.queries.length = 0;
    const { rows } = await read(
      client.stream(
        { table: 'job', key: 'id', deltaColumn: 'updated_at' },
        request({ mode: 'delta', since, batchSize: 2 }),
      ),
    );
    expect(rows.map((r) => String(r.id)).sort()).toEqual([...touched].sort());
    const reads = readsOf('job');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/ORDER BY `updated_at`, `id`$/);
    const [step] = await explain(reads[0] as string);
    expect(step?.key).toBe('ix_updated');
  });

  it('returns a row written in the repeated hour of the 2026-11-01 fall-back to the next delta', async () => {
    // Everything else is long before, so only the rows below can match.
    await db.execute("UPDATE appointment SET updated_at = '2026-01-01 00:00:00'");
    await db.execute(
      `UPDATE appointment SET updated_at = CASE id
         WHEN 1 THEN '2026-11-01 00:30:00'  -- 04:30Z, before the delta start
         WHEN 2 THEN '2026-11-01 01:10:00'  -- written at 06:10Z: the second 01:10 (EST)
         WHEN 3 THEN '2026-11-01 01:50:00'  -- 05:50Z, the first 01:50 (EDT)
       END WHERE id IN (1, 2, 3)`,
    );
    // The previous run started at 05:50Z; its successor reads from 05:45Z (01:45 EDT), after
    // the clock went back — a bound of 01:45 would never see the row stored as 01:10.
    const { rows } = await read(
      client.stream(
        APPOINTMENT,
        request({ mode: 'delta', since: new Date('2026-11-01T05:45:00Z'), batchSize: 5 }),
      ),
    );
    expect(rows.map((r) => Number(r.id)).sort()).toEqual([2, 3]);
  });

  it('takes the zone from the server when GENIUS_TIMEZONE is unset, so New York times are not lost', async () => {
    // The server's clock is New York's: `@@time_zone` and NOW() say so for every query.
    const nyProxy = await MysqlProxy.start(
      new URL(DEFAULT_ADMIN_URL).hostname,
      Number(new URL(DEFAULT_ADMIN_URL).port || 3306),
    );
    nyProxy.serverTimeZone(newYorkOffset());
    try {
      const url = new URL(db.url);
      url.port = String(nyProxy.port);
      const store = new MemoryStore();
      const lines: string[] = [];
      const engine = new SyncEngine({ store, progressIntervalMs: 0, logger: memoryLogger(lines) });
      const sync = (config: Record<string, unknown>) =>
        engine.runEntity({
          plugin: geniusPlugin,
          entity: 'appointments',
          config: { GENIUS_DATABASE_URL: url.toString(), GENIUS_POOL_SIZE: 1, ...config },
        });
      const first = await sync({});
      expect(first).toMatchObject({ status: 'success', mode: 'full' });
      const touched = await db.touch('appointment', 'id', 7);
      const delta = await sync({});
      expect(delta).toMatchObject({ status: 'success', mode: 'delta' });
      expect(delta.counts.processed).toBe(7);
      // Written with New York's NOW(), read in the server's zone: the instant is the real one.
      const touchedAt = Date.now();
      for (const id of touched) {
        const stored = (await store.getRecord('genius', 'appointments', id))?.data.updated_at;
        expect(Math.abs(Date.parse(String(stored)) - touchedAt)).toBeLessThan(10 * 60_000);
      }
      expect(lines.filter((l) => l.startsWith('warn') && l.includes('GENIUS_TIMEZONE'))).toEqual(
        [],
      );

      // A configured zone the server disagrees with is said on every run.
      await sync({ GENIUS_TIMEZONE: 'UTC' });
      await sync({ GENIUS_TIMEZONE: 'UTC' });
      const warnings = lines.filter(
        (l) =>
          l.startsWith('warn') &&
          /GENIUS_TIMEZONE is UTC .* server's clock is at [-+]\d\d:\d\d/.test(l),
      );
      expect(warnings).toHaveLength(2);
    } finally {
      await nyProxy.close();
    }
  });
});
