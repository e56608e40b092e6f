import { createRequestMetrics, type FetchRequest } from '@crmsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, skipReason } from './fake-server/test-env.js';
import { GeniusClient, type GeniusRow } from './client.js';
import { leads } from './entities/leads.js';
import { GeniusTestDatabase } from './fake-server/index.js';

const TZ = 'America/New_York';

function request(overrides: Partial<FetchRequest> = {}): FetchRequest {
  return {
    mode: 'full',
    batchSize: 25,
    signal: new AbortController().signal,
    options: {},
    logger: memoryLogger(),
    ...overrides,
  };
}

async function readAll(client: GeniusClient, iterable: AsyncIterable<{ records: GeniusRow[] }>) {
  const rows: GeniusRow[] = [];
  let pages = 0;
  for await (const page of iterable) {
    pages++;
    rows.push(...page.records);
  }
  return { rows, pages, client };
}

describe.skipIf(skipReason !== null)('GeniusClient against MariaDB', () => {
  let db: GeniusTestDatabase;
  let client: GeniusClient;
  const metrics = createRequestMetrics();

  beforeAll(async () => {
    db = await GeniusTestDatabase.create({ timeZone: TZ, size: 120 });
    client = GeniusClient.connect({ url: db.url, timeZone: TZ, logger: memoryLogger(), metrics });
  });
  afterAll(async () => {
    await client?.close();
    await db?.drop();
  });

  it('streams a full read in key order, one bounded page at a time', async () => {
    const { rows, pages } = await readAll(
      client,
      client.stream({ table: 'appointment', key: 'id', deltaColumn: 'updated_at' }, request()),
    );
    expect(rows).toHaveLength(120);
    expect(pages).toBe(5);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('reads only rows updated since the delta start, ordered by (updated_at, id)', async () => {
    const since = new Date(Date.now() - 1000);
    const touched = await db.touch('appointment', 'id', 7);
    const { rows } = await readAll(
      client,
      client.stream(
        { table: 'appointment', key: 'id', deltaColumn: 'updated_at' },
        request({ mode: 'delta', since, batchSize: 3 }),
      ),
    );
    expect(rows.map((r) => String(r.id)).sort()).toEqual([...touched].sort());
  });

  it('converts naive DATETIMEs with GENIUS_TIMEZONE and leaves DATEs alone', async () => {
    await db.execute(
      "UPDATE appointment SET updated_at = '2026-01-15 10:00:00', date = '2026-01-20' WHERE id = 50",
    );
    const [row] = await client.query('SELECT updated_at, date FROM appointment WHERE id = ?', [50]);
    expect(row).toEqual({ updated_at: '2026-01-15T15:00:00.000Z', date: '2026-01-20' });
  });

  it('quotes the reserved `lead` table and falls back to added_on when updated_at is NULL', async () => {
    const nullRows = await db.execute('SELECT COUNT(*) AS n FROM `lead` WHERE updated_at IS NULL');
    expect(Number(nullRows[0]?.n)).toBeGreaterThan(0);
    const all = await readAll(
      client,
      leads.fetch(client, request({ since: new Date(0), mode: 'delta' })),
    );
    expect(all.rows).toHaveLength(120);
    const never = all.rows.filter((r) => r.updated_at === null);
    expect(never.length).toBe(Number(nullRows[0]?.n));
  });

  it('resumes from a page checkpoint without re-reading or skipping rows', async () => {
    const source = { table: 'job', key: 'id', deltaColumn: 'updated_at' };
    const since = new Date(Date.now() - 200 * 86_400_000);
    const first = client.stream(source, request({ mode: 'delta', since, batchSize: 40 }));
    const page1 = (await first.next()).value;
    await first.return(undefined);
    expect(page1?.records).toHaveLength(40);
    const rest = await readAll(
      client,
      client.stream(
        source,
        request({ mode: 'delta', since, batchSize: 40, checkpoint: page1?.checkpoint }),
      ),
    );
    const ids = [...(page1?.records ?? []), ...rest.rows]
      .map((r) => Number(r.id))
      .sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('retries a page when the server kills the connection during its query', async () => {
    // A view that sleeps per row keeps the query running long enough to be killed.
    await db.execute('CREATE VIEW slow_division AS SELECT d.*, SLEEP(0.01) AS s FROM division d');
    const before = metrics.retries;
    const killer = (async () => {
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const running = await db.execute(
          "SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE '%FROM `slow_division`%' AND id <> CONNECTION_ID()",
          [db.name],
        );
        if (running.length > 0) {
          for (const c of running) await db.execute(`KILL CONNECTION ${Number(c.id)}`);
          return running.length;
        }
      }
      return 0;
    })();
    const { rows } = await readAll(
      client,
      client.stream({ table: 'slow_division', key: 'id' }, request({ batchSize: 100 })),
    );
    expect(await killer).toBe(1);
    expect(rows).toHaveLength(25);
    expect(metrics.retries).toBe(before + 1);
  });

  it('names the CRM and the cause when the table is missing', async () => {
    const stream = client.stream({ table: 'no_such_table', key: 'id' }, request());
    await expect(stream.next()).rejects.toMatchObject({
      kind: 'config',
      context: { crm: 'genius' },
    });
  });
});
