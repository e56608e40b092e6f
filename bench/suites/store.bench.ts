import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startFakerServer } from '@crmsync/plugin-faker';
import type { RecordWrite } from '../../packages/core/src/index.js';
import { openStore, type PrismaStore } from '../../packages/server/src/store/index.js';
import { createSqliteTestDatabase } from '../../packages/server/test/store/test-databases.js';
import { forEachDatabase } from '../databases.js';
import { type BenchContext, type BenchSuite, describeCpu, median, runInChild } from '../lib.js';
import { benchLiveCount } from './store-count.js';
import { postgresRawInsert, readSynced, sqliteRawInsert } from './store-raw.js';
import type { CoreChildArgs, CoreChildResult } from './core.child.js';
import type { StoreSyncArgs, StoreSyncResult } from './store-sync.child.js';

// The store's bulk crm_record upsert against (a) Prisma's per-record upsert, the baseline it
// must beat by 20x, and (b) the database's raw insert rate measured in the same run; then
// whole syncs through the engine from the faker API (served by this process, the CRM's side)
// into each database, a delta after 1,000 changes, and peak memory as the sync grows.

type Provider = 'sqlite' | 'postgresql';
const BATCH = 1_000;
const CHANGED = 1_000;
const storeChild = fileURLToPath(new URL('./store.child.ts', import.meta.url));
const syncChild = fileURLToPath(new URL('./store-sync.child.ts', import.meta.url));
const fetchChild = fileURLToPath(new URL('./core.child.ts', import.meta.url));

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

async function timed(work: () => unknown): Promise<number> {
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

function rawInsert(provider: Provider, url: string, records: RecordWrite[], source: string) {
  return provider === 'sqlite'
    ? sqliteRawInsert(url.slice('file:'.length), records, source)
    : postgresRawInsert(url, records, source);
}

const rawLimitName = (provider: Provider) =>
  `raw insert (${provider === 'sqlite' ? 'prepared, one transaction' : 'multi-row pg'})`;

/** Bulk upsert vs Prisma per-record upsert vs raw insert, and re-upserts of the same rows. */
async function benchStoreWrites(
  ctx: BenchContext,
  provider: Provider,
  url: string,
  total: number,
  sample: number,
) {
  const store = await openStore({ databaseUrl: url });
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
    const unchangedSeconds = await timed(() => bulkUpsert(store, 'contacts', records, run.id));
    const changed = records.map((r, i) =>
      i % 10 === 0 ? { ...r, hash: `${r.hash}-v2`, data: { ...r.data, score: -1 } } : r,
    );
    const mixedSeconds = await timed(() => bulkUpsert(store, 'contacts', changed, run.id));
    const sampleRecords = makeRecords(sample, 'p');
    const perRecordSeconds = await timed(() =>
      prismaPerRecord(store, 'prisma-baseline', sampleRecords, run.id),
    );
    const perRecordRate = sample / perRecordSeconds;
    const rawRate = total / (await timed(() => rawInsert(provider, url, records, 'raw')));

    const ratioToPrisma = bulkRate / perRecordRate;
    ctx.report({
      suite: 'store',
      name: `${provider}: bulk upsert vs Prisma per-record upsert`,
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
      name: `${provider}: bulk upsert of ${total} new records`,
      value: bulkRate,
      unit: 'rec/s',
      limits: [{ name: rawLimitName(provider), value: rawRate, unit: 'rec/s' }],
      ratio: bulkRate / rawRate,
    });
    ctx.report({
      suite: 'store',
      name: `${provider}: re-upsert, all unchanged (hash compare, no write)`,
      value: total / unchangedSeconds,
      unit: 'rec/s',
    });
    ctx.report({
      suite: 'store',
      name: `${provider}: re-upsert, 10% changed`,
      value: total / mixedSeconds,
      unit: 'rec/s',
    });
  } finally {
    await store.close();
  }
}

/**
 * One round: a full sync into an empty database; the same pages fetched and parsed with nothing
 * else done (the HTTP side's own limit, which bounds any sync from this API); a delta after
 * changes; the raw insert of the synced rows.
 */
async function engineRound(provider: Provider, url: string, total: number) {
  // A fresh API per round: a delta's overlap window must not reach the previous round's changes.
  const server = await startFakerServer({
    size: { contacts: total },
    seed: 11,
    changesPerMinute: 0,
  });
  try {
    const args: Omit<StoreSyncArgs, 'mode'> = {
      databaseUrl: url,
      baseUrl: server.url,
      token: server.token,
      count: total,
    };
    const { result: full, cpu } = await runInChild<StoreSyncResult>(syncChild, {
      ...args,
      mode: 'full',
    });
    const fetched = (
      await runInChild<CoreChildResult>(fetchChild, {
        mode: 'fetch',
        baseUrl: server.url,
        token: server.token,
        count: total,
        batchSize: BATCH,
      } satisfies CoreChildArgs)
    ).result;
    if (fetched.records !== total) throw new Error(`fetch read ${fetched.records} of ${total}`);
    const fetchRate = fetched.records / fetched.seconds;
    server.mutate('contacts', CHANGED);
    const delta = (await runInChild<StoreSyncResult>(syncChild, { ...args, mode: 'delta' })).result;
    const synced = await readSynced(url, 'faker');
    const rawRate =
      synced.length / (await timed(() => rawInsert(provider, url, synced, 'raw-e2e')));
    return { full, delta, rawRate, fetchRate, cpu };
  } finally {
    await server.close();
  }
}

/**
 * Full sync through the engine vs raw insert of the same rows; then a delta after changes.
 * `rounds` rounds, each into an empty database; each round gives its own ratio (its engine
 * run against its own raw insert, minutes apart) and its own delta share, and the figures are
 * the medians of those (the machine is shared and one run can be 30% off another, as in the
 * core suite: a best-of-each picks the two sides from different load periods).
 */
async function benchEngineSync(
  ctx: BenchContext,
  provider: Provider,
  urls: string[],
  total: number,
) {
  const rounds = [];
  for (const [i, url] of urls.entries()) {
    const round = await engineRound(provider, url, total);
    ctx.log(
      `${provider} round ${i + 1}: engine full sync of ${round.full.processed} in ${round.full.seconds.toFixed(2)} s (${describeCpu(round.cpu)}), delta ${round.delta.seconds.toFixed(3)} s, raw insert ${Math.round(round.rawRate).toLocaleString('en-US')} rec/s (this round's ratio ${(round.full.processed / round.full.seconds / round.rawRate).toFixed(2)}); fetch + parse only ${Math.round(round.fetchRate).toLocaleString('en-US')} rec/s = ${(round.fetchRate / round.rawRate).toFixed(2)} of raw, the sync at ${(round.full.processed / round.full.seconds / round.fetchRate).toFixed(2)} of it`,
    );
    rounds.push(round);
  }
  const ratios = rounds.map((r) => r.full.processed / r.full.seconds / r.rawRate);
  const shares = rounds.map((r) => r.delta.seconds / r.full.seconds);
  const ratio = median(ratios);
  const share = median(shares);
  const rate = median(rounds.map((r) => r.full.processed / r.full.seconds));
  const rawRate = median(rounds.map((r) => r.rawRate));
  const fetchRate = median(rounds.map((r) => r.fetchRate));
  const fetchBounds = rounds.map((r) => r.fetchRate / r.rawRate);
  const fullSeconds = median(rounds.map((r) => r.full.seconds));
  const deltaSeconds = median(rounds.map((r) => r.delta.seconds));
  const list = (values: number[], digits: number) =>
    values.map((v) => v.toFixed(digits)).join(', ');
  ctx.log(
    `${provider}: the fetch limit alone is ${list(fetchBounds, 2)} of raw insert (the most any sync from this API can reach)`,
  );
  ctx.log(
    `${provider}: per-round ratios ${list(ratios, 2)}; delta shares ${list(
      shares.map((v) => v * 100),
      2,
    )} %`,
  );
  ctx.report({
    suite: 'store',
    name: `${provider}: end-to-end full sync (faker API -> engine -> store), median of ${rounds.length} rounds`,
    value: rate,
    unit: 'rec/s',
    limits: [
      { name: `${rawLimitName(provider)}, same rows`, value: rawRate, unit: 'rec/s' },
      // Not the goal's denominator: what bounds the sync from the HTTP side, measured the same.
      { name: 'fetch + parse only, same API', value: fetchRate, unit: 'rec/s' },
    ],
    ratio,
    goal: '>= 0.5 of raw insert (median of per-round ratios)',
    met: ratio >= 0.5,
  });
  ctx.report({
    suite: 'store',
    name: `${provider}: delta sync of ${CHANGED} changed of ${total}, as a share of the full sync's time (median of ${rounds.length} rounds)`,
    value: share * 100,
    unit: '%',
    limits: [
      { name: 'full sync', value: fullSeconds, unit: 's' },
      { name: `delta sync (${rounds[0]?.delta.processed} read)`, value: deltaSeconds, unit: 's' },
    ],
    goal: '< 5%',
    met: share < 0.05,
  });
}

/** Peak RSS of a child process as what it writes grows: the store alone, then a whole sync. */
async function benchMemory(ctx: BenchContext, small: number, large: number) {
  const growth = (a: number, b: number) => (b - a) / 2 ** 20;
  const storeSmall = await runInChild<{ seconds: number }>(storeChild, { count: small });
  const storeLarge = await runInChild<{ seconds: number }>(storeChild, { count: large });
  const server = await startFakerServer({
    size: { contacts: large },
    seed: 11,
    changesPerMinute: 0,
  });
  const syncRss: number[] = [];
  try {
    for (const count of [small, large]) {
      const sqlite = createSqliteTestDatabase();
      try {
        const base = {
          databaseUrl: sqlite.url,
          baseUrl: server.url,
          token: server.token,
          mode: 'full' as const,
        };
        // A fresh API of `count` records for the small run, the large one for the large run.
        const api =
          count === large
            ? server
            : await startFakerServer({ size: { contacts: count }, seed: 11, changesPerMinute: 0 });
        try {
          const run = await runInChild<StoreSyncResult>(syncChild, {
            ...base,
            baseUrl: api.url,
            token: api.token,
            count,
          });
          syncRss.push(run.maxRssBytes);
        } finally {
          if (api !== server) await api.close();
        }
      } finally {
        await sqlite.drop();
      }
    }
  } finally {
    await server.close();
  }
  for (const [name, a, b] of [
    ['store bulk upsert alone', storeSmall.maxRssBytes, storeLarge.maxRssBytes],
    ['whole sync (engine + store)', syncRss[0] ?? 0, syncRss[1] ?? 0],
  ] as const) {
    const mb = growth(a, b);
    ctx.report({
      suite: 'store',
      name: `sqlite: peak RSS growth ${small} -> ${large} records, ${name}`,
      value: mb,
      unit: 'MB',
      limits: [
        { name: `peak RSS at ${small}`, value: a / 2 ** 20, unit: 'MB' },
        { name: `peak RSS at ${large}`, value: b / 2 ** 20, unit: 'MB' },
      ],
      goal: '< 50 MB',
      met: mb < 50,
    });
  }
}

const suite: BenchSuite = {
  name: 'store',
  async run(ctx) {
    const total = ctx.quick ? 20_000 : 200_000;
    const sample = ctx.quick ? 1_000 : 5_000;
    const rounds = ctx.quick ? 1 : 3;

    await forEachDatabase(ctx, async (provider, database) => {
      // The engine rounds each get an empty database: a file, or a schema of the PG database.
      const engineDatabases = Array.from({ length: rounds }, () =>
        provider === 'sqlite' ? createSqliteTestDatabase() : undefined,
      );
      try {
        await benchStoreWrites(ctx, provider, database.url, total, sample);
        const urls = engineDatabases.map(
          (db, i) => db?.url ?? `${database.url}?schema=engine${i + 1}`,
        );
        await benchEngineSync(ctx, provider, urls, total);
        const countDatabase = provider === 'sqlite' ? createSqliteTestDatabase() : undefined;
        try {
          await benchLiveCount(
            ctx,
            provider,
            countDatabase?.url ?? `${database.url}?schema=count`,
            ctx.quick ? 100_000 : 1_000_000,
          );
        } finally {
          await countDatabase?.drop();
        }
      } finally {
        for (const db of engineDatabases) await db?.drop();
      }
    });
    await benchMemory(ctx, 20_000, ctx.quick ? 100_000 : 1_000_000);
  },
};

export default suite;
