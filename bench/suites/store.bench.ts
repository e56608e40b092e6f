import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type pgTypes from 'pg';
import type { RecordWrite } from '../../packages/core/src/index.js';
import { openStore, type PrismaStore } from '../../packages/server/src/store/index.js';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  postgresUnavailable,
  type TestDatabase,
} from '../../packages/server/src/store/test-databases.js';
import { type BenchContext, type BenchSuite, runInChild } from '../lib.js';

// The store's bulk crm_record upsert against (a) Prisma's per-record upsert, the baseline it
// must beat by 20x, and (b) the database's raw insert rate measured in the same run: on
// SQLite a prepared single-row INSERT in one transaction, on PostgreSQL multi-row INSERTs
// through pg (no COPY). Both limits write the same crm_record table, under another source.

// The drivers are the server package's dependencies, not the workspace root's.
const serverRequire = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const Database = serverRequire('better-sqlite3') as typeof BetterSqlite3;
const pg = serverRequire('pg') as typeof pgTypes;

const BATCH = 1_000;
const RAW_ROWS_PER_STATEMENT = 1_000;

function makeRecords(count: number, seed: string): RecordWrite[] {
  const records: RecordWrite[] = [];
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < count; i++) {
    const data = {
      id: `${seed}-${i}`,
      firstName: `First${i % 977}`,
      lastName: `Last${i % 1_553}`,
      email: `person${i}@example.com`,
      phone: `+1-555-${String(i % 10_000).padStart(4, '0')}`,
      company: `Company ${i % 311}`,
      lifecycleStage: i % 3 === 0 ? 'lead' : 'customer',
      score: i % 100,
      tags: ['imported', `cohort-${i % 12}`],
    };
    records.push({
      externalId: data.id,
      data,
      hash: createHash('sha1').update(JSON.stringify(data)).digest('hex'),
      remoteUpdatedAt: new Date(base + i * 1_000),
      remoteCreatedAt: new Date(base - i * 1_000),
    });
  }
  return records;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1_000;
}

async function bulkUpsert(
  store: PrismaStore,
  entity: string,
  records: RecordWrite[],
  runId: string,
) {
  for (let i = 0; i < records.length; i += BATCH) {
    await store.upsertRecords('bench', entity, records.slice(i, i + BATCH), {
      runId,
      policy: 'overwrite',
    });
  }
}

async function prismaPerRecord(
  store: PrismaStore,
  entity: string,
  records: RecordWrite[],
  runId: string,
) {
  const now = new Date();
  for (const record of records) {
    const row = {
      data: record.data as object,
      contentHash: record.hash,
      remoteUpdatedAt: record.remoteUpdatedAt ?? null,
      remoteCreatedAt: record.remoteCreatedAt ?? null,
      lastSyncedAt: now,
      deletedAt: null,
      lastRunId: runId,
    };
    await store.prisma.crmRecord.upsert({
      where: {
        crmSource_entity_externalId: { crmSource: 'bench', entity, externalId: record.externalId },
      },
      create: {
        crmSource: 'bench',
        entity,
        externalId: record.externalId,
        firstSyncedAt: now,
        ...row,
      },
      update: row,
    });
  }
}

function sqliteRawInsert(filename: string, records: RecordWrite[]): void {
  const db = new Database(filename);
  const insert = db.prepare(
    `INSERT INTO crm_record (crm_source, entity, external_id, data, content_hash, remote_updated_at,
       remote_created_at, first_synced_at, last_synced_at, deleted_at, last_run_id)
     VALUES ('raw', 'contacts', ?, ?, ?, ?, ?, ?, ?, NULL, 'raw')`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (const r of records) {
      insert.run(
        r.externalId,
        JSON.stringify(r.data),
        r.hash,
        r.remoteUpdatedAt?.getTime() ?? null,
        r.remoteCreatedAt?.getTime() ?? null,
        now,
        now,
      );
    }
  })();
  db.close();
}

async function postgresRawInsert(url: string, records: RecordWrite[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const now = new Date().toISOString();
  try {
    await client.query('BEGIN');
    for (let start = 0; start < records.length; start += RAW_ROWS_PER_STATEMENT) {
      const chunk = records.slice(start, start + RAW_ROWS_PER_STATEMENT);
      const values: string[] = [];
      const params: unknown[] = [];
      for (const r of chunk) {
        const p = params.length;
        values.push(
          `('raw', 'contacts', $${p + 1}, $${p + 2}::jsonb, $${p + 3}, $${p + 4}::timestamp(3), $${p + 5}::timestamp(3), $${p + 6}::timestamp(3), $${p + 6}::timestamp(3), NULL, 'raw')`,
        );
        params.push(
          r.externalId,
          JSON.stringify(r.data),
          r.hash,
          r.remoteUpdatedAt?.toISOString() ?? null,
          r.remoteCreatedAt?.toISOString() ?? null,
          now,
        );
      }
      await client.query(
        `INSERT INTO crm_record (crm_source, entity, external_id, data, content_hash, remote_updated_at,
           remote_created_at, first_synced_at, last_synced_at, deleted_at, last_run_id) VALUES ${values.join(',')}`,
        params,
      );
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

async function benchDatabase(
  ctx: BenchContext,
  name: 'sqlite' | 'postgresql',
  database: TestDatabase,
  total: number,
  sample: number,
): Promise<void> {
  const store = await openStore({ databaseUrl: database.url });
  try {
    const run = await store.beginRun({
      crmSource: 'bench',
      syncType: 'contacts',
      mode: 'full',
      trigger: 'cli',
      dryRun: false,
      configuration: {},
      leaseMs: 600_000,
    });
    const records = makeRecords(total, 'c');

    const bulkSeconds = await timed(() => bulkUpsert(store, 'contacts', records, run.id));
    const bulkRate = total / bulkSeconds;
    ctx.log(`${name}: bulk upsert of ${total} new records in ${bulkSeconds.toFixed(2)} s`);

    const unchangedSeconds = await timed(() => bulkUpsert(store, 'contacts', records, run.id));
    ctx.log(`${name}: the same ${total} again (all unchanged) in ${unchangedSeconds.toFixed(2)} s`);

    const changed = records.map((r, i) =>
      i % 10 === 0 ? { ...r, hash: `${r.hash}-v2`, data: { ...r.data, score: -1 } } : r,
    );
    const mixedSeconds = await timed(() => bulkUpsert(store, 'contacts', changed, run.id));

    const sampleRecords = makeRecords(sample, 'p');
    const perRecordSeconds = await timed(() =>
      prismaPerRecord(store, 'prisma-baseline', sampleRecords, run.id),
    );
    const perRecordRate = sample / perRecordSeconds;
    ctx.log(
      `${name}: Prisma per-record upsert of ${sample} records in ${perRecordSeconds.toFixed(2)} s`,
    );

    const rawSeconds = await timed(async () => {
      if (name === 'sqlite') sqliteRawInsert(store.target.filename ?? '', records);
      else await postgresRawInsert(database.url, records);
    });
    const rawRate = total / rawSeconds;

    const ratioToPrisma = bulkRate / perRecordRate;
    ctx.report({
      suite: 'store',
      name: `${name}: bulk upsert vs Prisma per-record upsert`,
      value: ratioToPrisma,
      unit: 'x',
      limits: [
        { name: 'bulk upsert', value: bulkRate, unit: 'rec/s' },
        { name: `Prisma upsert (${sample} sample)`, value: perRecordRate, unit: 'rec/s' },
      ],
      goal: '>= 20x',
      met: ratioToPrisma >= 20,
    });
    ctx.report({
      suite: 'store',
      name: `${name}: bulk upsert of ${total} new records`,
      value: bulkRate,
      unit: 'rec/s',
      limits: [
        {
          name: `raw insert (${name === 'sqlite' ? 'prepared, one transaction' : 'multi-row pg'})`,
          value: rawRate,
          unit: 'rec/s',
        },
      ],
      ratio: bulkRate / rawRate,
    });
    ctx.report({
      suite: 'store',
      name: `${name}: re-upsert, all unchanged (hash compare, no write)`,
      value: total / unchangedSeconds,
      unit: 'rec/s',
    });
    ctx.report({
      suite: 'store',
      name: `${name}: re-upsert, 10% changed`,
      value: total / mixedSeconds,
      unit: 'rec/s',
    });
  } finally {
    await store.close();
  }
}

const suite: BenchSuite = {
  name: 'store',
  async run(ctx) {
    const total = ctx.quick ? 20_000 : 200_000;
    const sample = ctx.quick ? 1_000 : 5_000;

    const small = 20_000;
    const large = ctx.quick ? 100_000 : 1_000_000;
    const child = new URL('./store.child.ts', import.meta.url).pathname;
    const smallRun = await runInChild<{ seconds: number }>(child, { count: small });
    const largeRun = await runInChild<{ seconds: number }>(child, { count: large });
    const growthMb = (largeRun.maxRssBytes - smallRun.maxRssBytes) / 2 ** 20;
    ctx.log(
      `sqlite: ${large} records through the store in ${largeRun.result.seconds.toFixed(1)} s`,
    );
    ctx.report({
      suite: 'store',
      name: `sqlite: peak RSS growth, ${small} -> ${large} records written`,
      value: growthMb,
      unit: 'MB',
      limits: [
        { name: `peak RSS at ${small}`, value: smallRun.maxRssBytes / 2 ** 20, unit: 'MB' },
        { name: `peak RSS at ${large}`, value: largeRun.maxRssBytes / 2 ** 20, unit: 'MB' },
      ],
      goal: '< 50 MB',
      met: growthMb < 50,
    });

    const sqlite = createSqliteTestDatabase();
    try {
      await benchDatabase(ctx, 'sqlite', sqlite, total, sample);
    } finally {
      await sqlite.drop();
    }

    const problem = await postgresUnavailable();
    if (problem) {
      ctx.log(`PostgreSQL skipped: ${problem}`);
      return;
    }
    const postgres = await createPostgresTestDatabase();
    try {
      await benchDatabase(ctx, 'postgresql', postgres, total, sample);
    } finally {
      await postgres.drop();
    }
  },
};

export default suite;
