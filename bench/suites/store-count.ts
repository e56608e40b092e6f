import { openStore } from '../../packages/server/src/store/index.js';
import type { BenchContext } from '../lib.js';
import { sqlConnection } from './store-raw.js';

type Provider = 'sqlite' | 'postgresql';

/** One in this many of the entity's rows is soft-deleted. */
const DELETED_EVERY = 100;
const ROUNDS = 5;

/** A faker contact's data (~360 bytes of JSON), so rows are as large as a sync's. */
const DATA = JSON.stringify({
  city: 'Karlaboro',
  company_id: '3641',
  created_at: '2026-08-30T10:33:37.382Z',
  email: 'valentin.mccullough.1@casper-llc-173.example.com',
  first_name: 'Valentin',
  id: '1',
  last_name: 'McCullough',
  lifecycle_stage: 'marketingqualifiedlead',
  phone: '(549) 922-2701',
  score: 25,
  state: 'KS',
  updated_at: '2026-08-30T10:36:51.782Z',
  zip: '74359',
});

/** `rows` contacts of source `count`, one in DELETED_EVERY soft-deleted, plus 10% as many deals. */
function fillSql(provider: Provider, entity: string, rows: number): string {
  const time = provider === 'sqlite' ? '1767225600000' : `'2026-01-01'::timestamp(3)`;
  const data = provider === 'sqlite' ? `'${DATA}'` : `'${DATA}'::jsonb`;
  const select = `SELECT 'count', '${entity}', CAST(i AS TEXT), ${data}, 'h', ${time}, ${time}, ${time}, ${time},
      CASE WHEN i % ${DELETED_EVERY} = 0 THEN ${time} END, 'bench'`;
  const columns = `crm_record (crm_source, entity, external_id, data, content_hash, remote_updated_at,
      remote_created_at, first_synced_at, last_synced_at, deleted_at, last_run_id)`;
  return provider === 'sqlite'
    ? `INSERT INTO ${columns} WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) ${select} FROM n`
    : `INSERT INTO ${columns} ${select} FROM generate_series(1, ${rows}) AS n(i)`;
}

async function best(work: () => Promise<number>): Promise<{ ms: number; value: number }> {
  let ms = Number.POSITIVE_INFINITY;
  let value = Number.NaN;
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    value = await work();
    ms = Math.min(ms, performance.now() - started);
  }
  return { ms, value };
}

/**
 * The dashboard's and the API's count of an entity's live records (`recordCount`, a records
 * page's `totalCount`) on a large entity: the store's count (all the entity's rows minus the
 * soft-deleted ones, both from indexes) beside the plain `deleted_at IS NULL` count, which
 * reads every row, and the count of all the entity's rows from an index alone.
 */
export async function benchLiveCount(
  ctx: BenchContext,
  provider: Provider,
  url: string,
  rows: number,
) {
  const store = await openStore({ databaseUrl: url });
  const sql = await sqlConnection(url);
  try {
    await sql.exec(fillSql(provider, 'contacts', rows));
    await sql.exec(fillSql(provider, 'deals', rows / 10));
    // A bulk insert is followed by autovacuum within a minute; its visibility map is what lets
    // PostgreSQL answer a count from an index alone.
    if (provider === 'postgresql') await sql.exec('VACUUM ANALYZE crm_record');
    const where = `crm_source = 'count' AND entity = 'contacts'`;
    const live = await best(() => store.countRecords('count', 'contacts'));
    const scan = await best(() =>
      sql.scalar(`SELECT count(*) FROM crm_record WHERE ${where} AND deleted_at IS NULL`),
    );
    const all = await best(() => sql.scalar(`SELECT count(*) FROM crm_record WHERE ${where}`));
    const expected = rows - Math.floor(rows / DELETED_EVERY);
    if (live.value !== expected || scan.value !== expected)
      throw new Error(`live count ${live.value} / ${scan.value}, expected ${expected}`);
    ctx.log(
      `${provider}: live records of a ${rows}-row entity: ${live.ms.toFixed(1)} ms (deleted_at IS NULL: ${scan.ms.toFixed(1)} ms, all rows: ${all.ms.toFixed(1)} ms)`,
    );
    ctx.report({
      suite: 'store',
      name: `${provider}: count of the live records of a ${rows.toLocaleString('en-US')}-record entity (1% soft-deleted), best of ${ROUNDS}`,
      value: live.ms,
      unit: 'ms',
      limits: [
        { name: 'count(*) … deleted_at IS NULL (reads every row)', value: scan.ms, unit: 'ms' },
        { name: 'count(*) of all its rows (an index alone)', value: all.ms, unit: 'ms' },
      ],
      ratio: live.ms / scan.ms,
      goal: '< 100 ms',
      met: live.ms < 100,
    });
  } finally {
    await sql.close();
    await store.close();
  }
}
