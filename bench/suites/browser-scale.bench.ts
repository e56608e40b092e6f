import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type pgTypes from 'pg';
import type { FieldSchema } from '../../packages/core/src/index.js';
import {
  type RecordPageRequest,
  RecordQuery,
  ScanTimeoutError,
} from '../../packages/server/src/records/records-query.js';
import { openStore, type PrismaStore } from '../../packages/server/src/store/index.js';
import type { TestDatabase } from '../../packages/server/test/store/test-databases.js';
import { createBenchDatabase, forEachProvider } from '../databases.js';
import type { BenchContext, BenchSuite } from '../lib.js';

// The data browser at the seeds' size (issue 28): a leads-like entity of BROWSER_SCALE_ROWS
// records (default 6,000,000) × 94 fields, written straight into the store's crm_record table
// by one INSERT … SELECT per 100,000 rows that the database generates itself (a bulk insert,
// NOT a sync: the engine's rate is the store and genius-scale suites' business). Then the
// entity's declared indexes are built (ensureIndexes, what a sync does first) and the records
// query the GraphQL `records` connection runs is timed: p95 of the first page, the next page
// by keyset, a filter + sort on indexed fields, and a filter on a field without an index
// (which stops at its budget with the typed error), plus the bytes the store uses a record.

const serverRequire = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const Database = serverRequire('better-sqlite3') as typeof BetterSqlite3;
const pg = serverRequire('pg') as typeof pgTypes;

const CRM = 'genius';
const ENTITY = 'leads_wide';
const CHUNK = 100_000;
const PAGE = 50;
const STATUSES = ['new', 'open', 'won', 'lost', 'dead', 'hold'];
/** 94 fields: the id, 4 named ones (3 indexed), and 89 plain text columns. */
const WIDE = 89;
const FIELDS: FieldSchema = {
  lead_id: { type: 'integer', required: true },
  status: { type: 'string', indexed: true },
  updated_at: { type: 'datetime', indexed: true },
  owner_id: { type: 'integer', indexed: true },
  city: { type: 'string' },
  ...Object.fromEntries(
    Array.from({ length: WIDE }, (_, i) => [`field_${i + 5}`, { type: 'string' as const }]),
  ),
};
const SCAN_BUDGET_MS = 2_000;

/** The JSON members, as SQL of the row number `n`, per database. */
function members(provider: 'sqlite' | 'postgresql'): string[] {
  const status = `(${STATUSES.map((s) => `'${s}'`).join(',')})`;
  const out =
    provider === 'sqlite'
      ? [
          `'lead_id', n`,
          `'status', json_extract('[${STATUSES.map((s) => `"${s}"`).join(',')}]', '$[' || (n % 6) || ']')`,
          `'updated_at', strftime('%Y-%m-%dT%H:%M:%SZ', 1767225600 - (n * 7919) % 31536000, 'unixepoch')`,
          `'owner_id', n % 300`,
          `'city', 'City ' || (n % 500)`,
        ]
      : [
          `'lead_id', n`,
          `'status', (ARRAY[${status.slice(1, -1)}])[1 + n % 6]`,
          `'updated_at', to_char(timestamp '2026-01-01' - ((n * 7919) % 31536000) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
          `'owner_id', n % 300`,
          `'city', 'City ' || (n % 500)`,
        ];
  const concat = (a: string, b: string) =>
    provider === 'sqlite' ? `'${a}' || ${b}` : `'${a}' || (${b})::text`;
  for (let i = 0; i < WIDE; i++)
    out.push(`'field_${i + 5}', ${concat(`value ${i} `, `(n * ${i + 7}) % 9973`)}`);
  return out;
}

/** The INSERT … SELECT of rows lo+1 … hi. */
function insertSql(provider: 'sqlite' | 'postgresql', lo: number, hi: number): string {
  const parts = members(provider);
  const half = Math.ceil(parts.length / 2);
  // Neither database takes 188 arguments in one call: two objects, merged.
  const [a, b] = [parts.slice(0, half).join(', '), parts.slice(half).join(', ')];
  if (provider === 'sqlite')
    return `WITH RECURSIVE seq(n) AS (SELECT ${lo + 1} UNION ALL SELECT n + 1 FROM seq WHERE n < ${hi})
      INSERT INTO crm_record (crm_source, entity, external_id, data, content_hash, remote_updated_at,
        remote_created_at, first_synced_at, last_synced_at, deleted_at, last_run_id)
      SELECT '${CRM}', '${ENTITY}', CAST(n AS TEXT), json_patch(json_object(${a}), json_object(${b})),
        'h' || n, 1767225600000, 1767225600000, 1767225600000, 1767225600000, NULL, 'bench'
      FROM seq`;
  return `INSERT INTO crm_record (crm_source, entity, external_id, data, content_hash, remote_updated_at,
      remote_created_at, first_synced_at, last_synced_at, deleted_at, last_run_id)
    SELECT '${CRM}', '${ENTITY}', n::text, jsonb_build_object(${a}) || jsonb_build_object(${b}),
      'h' || n, timestamp '2026-01-01', timestamp '2026-01-01', timestamp '2026-01-01',
      timestamp '2026-01-01', NULL, 'bench'
    FROM generate_series(${lo + 1}::bigint, ${hi}::bigint) AS n`;
}

const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
};

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

async function fill(
  provider: 'sqlite' | 'postgresql',
  db: TestDatabase,
  rows: number,
  ctx: BenchContext,
): Promise<number> {
  const started = performance.now();
  if (provider === 'sqlite') {
    const sqlite = new Database(new URL(db.url).pathname);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = OFF');
    for (let lo = 0; lo < rows; lo += CHUNK)
      sqlite.exec(insertSql(provider, lo, Math.min(rows, lo + CHUNK)));
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.close();
  } else {
    // Other work on this shared server may terminate sessions (57P01): a chunk whose
    // connection died was rolled back, so it is run again on a new one.
    let client: pgTypes.Client | undefined;
    const connect = async () => {
      const next = new pg.Client({ connectionString: db.url });
      next.on('error', () => {});
      await next.connect();
      return next;
    };
    for (let lo = 0; lo < rows; lo += CHUNK) {
      for (let attempt = 0; ; attempt++) {
        try {
          client ??= await connect();
          await client.query(insertSql(provider, lo, Math.min(rows, lo + CHUNK)));
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== '57P01' || attempt >= 3) throw error;
          ctx.log(`  postgresql: session terminated at row ${lo}; retrying the chunk`);
          await client?.end().catch(() => {});
          client = undefined;
        }
      }
      if ((lo / CHUNK) % 10 === 9) ctx.log(`  postgresql: ${lo + CHUNK} rows`);
    }
    client ??= await connect();
    await client.query('VACUUM ANALYZE crm_record');
    await client.end();
  }
  return (performance.now() - started) / 1000;
}

async function bytesPerRecord(
  provider: 'sqlite' | 'postgresql',
  db: TestDatabase,
  store: PrismaStore,
  rows: number,
): Promise<number> {
  if (provider === 'sqlite') {
    const file = new URL(db.url).pathname;
    const size = (name: string) => {
      try {
        return statSync(name).size;
      } catch {
        return 0;
      }
    };
    return (size(file) + size(`${file}-wal`)) / rows;
  }
  const [row] = await store.prisma.$queryRaw<Array<{ bytes: bigint }>>`
    SELECT pg_total_relation_size('crm_record') AS bytes`;
  return Number(row?.bytes ?? 0) / rows;
}

async function measure(provider: 'sqlite' | 'postgresql', rows: number, ctx: BenchContext) {
  const db = await createBenchDatabase(provider);
  const report = (name: string, value: number, unit: string, goal?: string, met?: boolean) =>
    ctx.report({
      suite: 'browser-scale',
      name: `${provider}: ${name}`,
      value,
      unit,
      ...(goal ? { goal, met } : {}),
    });
  try {
    (await openStore({ databaseUrl: db.url })).close();
    const fillSeconds = await fill(provider, db, rows, ctx);
    report(
      `bulk insert of ${rows.toLocaleString('en-US')} × 94-field records (SQL-generated, not a sync)`,
      rows / fillSeconds,
      'records/s',
    );
    const store = await openStore({ databaseUrl: db.url });
    try {
      const [changes, indexMs] = await timed(() =>
        store.recordIndexes.ensureIndexes(CRM, ENTITY, FIELDS, 'lead_id'),
      );
      ctx.log(
        `  ${provider}: indexed ${changes.created.join(', ')} in ${(indexMs / 1000).toFixed(1)} s`,
      );
      report('ensureIndexes (id + 3 fields) on the filled table', indexMs / 1000, 's');
      report('store bytes per record', await bytesPerRecord(provider, db, store, rows), 'B');

      const query = new RecordQuery(store.prisma, provider, { scanBudgetMs: SCAN_BUDGET_MS });
      const base: RecordPageRequest = {
        crm: CRM,
        entity: ENTITY,
        fields: FIELDS,
        first: PAGE,
        primaryKey: 'lead_id',
      };
      const n = ctx.quick ? 10 : 30;
      const goal = 'p95 < 200 ms';
      // First page: the browser's default order (integer ids), each time from the start.
      const first: number[] = [];
      for (let i = 0; i < n; i++) first.push((await timed(() => query.page(base)))[1]);
      report(`first page of ${PAGE}, p95 of ${n}`, p95(first), 'ms', goal, p95(first) < 200);
      // Next pages by keyset, one after the other.
      const next: number[] = [];
      let after = (await query.page(base)).cursors.at(-1) ?? null;
      for (let i = 0; i < n; i++) {
        const [page, ms] = await timed(() => query.page({ ...base, after }));
        next.push(ms);
        after = page.cursors.at(-1) ?? null;
      }
      report(`next page (keyset), p95 of ${n}`, p95(next), 'ms', goal, p95(next) < 200);
      // A filter on an indexed field, sorted by another indexed field, first and next pages.
      const filtered: number[] = [];
      for (let i = 0; i < n; i++) {
        const request: RecordPageRequest = {
          ...base,
          filters: [{ field: 'status', op: 'EQUALS', value: STATUSES[i % STATUSES.length] }],
          sort: { field: 'updated_at', direction: 'DESC' },
        };
        const [page, ms] = await timed(() => query.page(request));
        filtered.push(ms);
        const [, nextMs] = await timed(() =>
          query.page({ ...request, after: page.cursors.at(-1) }),
        );
        filtered.push(nextMs);
      }
      report(
        `status = … sorted by updated_at desc (first + next page), p95 of ${2 * n}`,
        p95(filtered),
        'ms',
        goal,
        p95(filtered) < 200,
      );
      const owners: number[] = [];
      for (let i = 0; i < n; i++) {
        const request: RecordPageRequest = {
          ...base,
          filters: [{ field: 'owner_id', op: 'GTE', value: String(290 - i) }],
          sort: { field: 'owner_id', direction: 'ASC' },
        };
        owners.push((await timed(() => query.page(request)))[1]);
      }
      report(
        `owner_id >= … sorted by owner_id, p95 of ${n}`,
        p95(owners),
        'ms',
        goal,
        p95(owners) < 200,
      );
      // A filter on a field without an index: stopped at its budget with the typed error.
      const scans: number[] = [];
      let message = '';
      for (let i = 0; i < 3; i++) {
        const [outcome, ms] = await timed(() =>
          query
            .page({
              ...base,
              filters: [{ field: 'city', op: 'EQUALS', value: `City ${i}` }],
              sort: { field: 'updated_at', direction: 'ASC' },
            })
            .then(
              () => 'answered within the budget',
              (error: unknown) => {
                if (!(error instanceof ScanTimeoutError)) throw error;
                return error.message;
              },
            ),
        );
        scans.push(ms);
        message = outcome;
      }
      ctx.log(`  ${provider}: city = … → ${message}`);
      report(
        `city = … (not indexed, budget ${SCAN_BUDGET_MS} ms): time to the answer or error, max of 3`,
        Math.max(...scans),
        'ms',
      );
    } finally {
      await store.close();
    }
  } finally {
    await db.drop();
  }
}

const suite: BenchSuite = {
  name: 'browser-scale',
  async run(ctx) {
    const rows = Number(process.env.BROWSER_SCALE_ROWS ?? (ctx.quick ? 50_000 : 6_000_000));
    if (!Number.isInteger(rows) || rows < 1_000)
      throw new Error(
        `BROWSER_SCALE_ROWS must be an integer ≥ 1000, got ${process.env.BROWSER_SCALE_ROWS}`,
      );
    const providers = (process.env.BROWSER_SCALE_DATABASES ?? 'sqlite,postgresql').split(',');
    await forEachProvider(ctx, (provider) => measure(provider, rows, ctx), providers);
  },
};
export default suite;
