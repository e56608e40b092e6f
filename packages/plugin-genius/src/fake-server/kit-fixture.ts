import { quoteIdent } from '../client.js';
import { toNaive } from '../timezone.js';
import { DEFAULT_ADMIN_URL, GeniusTestDatabase } from './database.js';
import { MysqlProxy } from './proxy.js';

type KitFault =
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'server-error'; count: number };

/**
 * A MySQL proxy in front of `db` and what the kit reads through it for `table`: the plugin
 * config (and a wrong password), dropped connections for "server errors", the LIMIT of each
 * query as its page size.
 */
async function proxied(db: GeniusTestDatabase, table: string, timeZone: string) {
  const admin = new URL(DEFAULT_ADMIN_URL);
  const proxy = await MysqlProxy.start(admin.hostname, Number(admin.port || 3306));
  const url = new URL(db.url);
  url.port = String(proxy.port);
  const wrong = new URL(url);
  wrong.password = 'wrong-genius-password';
  const from = new RegExp(`FROM \`${table}\``);
  return {
    proxy,
    config: { GENIUS_DATABASE_URL: url.toString(), GENIUS_TIMEZONE: timeZone, GENIUS_POOL_SIZE: 2 },
    pluginOptions: {},
    badCredentials: { GENIUS_DATABASE_URL: wrong.toString() },
    injectFault(fault: KitFault) {
      if (fault.kind === 'rate-limit')
        throw new Error('a database has no rate limit (declared unsupported)');
      proxy.dropNext(fault.count, from);
    },
    requestedPageSizes: () =>
      proxy.queries
        .filter((q) => from.test(q))
        .map((q) => Number(/LIMIT (\d+)\s*$/.exec(q)?.[1] ?? Number.NaN)),
  };
}

/** Empties a table of a shared database and fills it with `size` generated rows again. */
async function refill(database: Promise<GeniusTestDatabase>, table: string, size: number) {
  const db = await database;
  await db.execute(`DELETE FROM ${quoteIdent(table)}`);
  await db.insertGenerated(table, 1, size);
  return db;
}

/**
 * What the plugin test kit needs from Genius, built on a throw-away MariaDB database behind
 * a MySQL proxy: the kit's entity is `appointments`; "server errors" are dropped connections;
 * page sizes are read from the LIMIT of each query the proxy saw. Given a `database` (of the
 * same time zone), the fixture refills its appointments instead of creating one — creating
 * a Genius database takes seconds — and leaves dropping it to its owner.
 */
export async function startGeniusKitFixture(options: {
  size: number;
  timeZone?: string;
  database?: Promise<GeniusTestDatabase>;
}) {
  const timeZone = options.timeZone ?? 'America/New_York';
  const shared = options.database;
  const db = shared
    ? await refill(shared, 'appointment', options.size)
    : await GeniusTestDatabase.create({
        timeZone,
        size: Math.min(options.size, 30),
        sizes: { appointment: options.size },
      });
  const reader = await proxied(db, 'appointment', timeZone);

  return {
    db,
    ...reader,
    mutate: (count: number) => db.touch('appointment', 'id', count),
    addRecords: (count: number, at: Date) => db.append('appointment', 'id', count, at),
    /** Breaks the required `prospect_id` (and moves `updated_at`, so a delta serves them too). */
    async corrupt(count: number): Promise<string[]> {
      const rows = await db.execute('SELECT id FROM appointment ORDER BY id DESC LIMIT ?', [count]);
      const ids = rows.map((r) => String(r.id));
      await db.execute(
        'UPDATE appointment SET prospect_id = NULL, updated_at = ? WHERE id IN (?)',
        [toNaive(new Date(), timeZone).slice(0, 19), ids],
      );
      return ids;
    },
    async setUpdatedAt(externalId: string, at: Date): Promise<void> {
      await db.execute(`UPDATE appointment SET updated_at = ? WHERE ${quoteIdent('id')} = ?`, [
        toNaive(at, timeZone).slice(0, 19),
        externalId,
      ]);
    },
    async close(): Promise<void> {
      await reader.proxy.close();
      if (!shared) await db.drop();
    },
  };
}

/**
 * The same for a small reference table read whole every run (`id`, `label`, `is_active`, no
 * update time), the kit's case of Genius's `none` entities: rows are renamed, added and
 * deleted in place; a bad row has an `is_active` that is no boolean. It refills the table of
 * a shared `database` (its owner drops it).
 */
export async function startGeniusReferenceKitFixture(options: {
  size: number;
  table: string;
  database: Promise<GeniusTestDatabase>;
}) {
  const timeZone = 'America/New_York';
  const t = quoteIdent(options.table);
  const db = await refill(options.database, options.table, options.size);
  const reader = await proxied(db, options.table, timeZone);
  const ids = async (order: 'ASC' | 'DESC', count: number) =>
    (await db.execute(`SELECT id FROM ${t} ORDER BY id ${order} LIMIT ?`, [count])).map((r) =>
      String(r.id),
    );

  return {
    db,
    ...reader,
    async mutate(count: number): Promise<string[]> {
      const changed = await ids('ASC', count);
      await db.execute(`UPDATE ${t} SET label = CONCAT('Renamed ', id) WHERE id IN (?)`, [changed]);
      return changed;
    },
    addRecords: (count: number, at: Date) => db.append(options.table, 'id', count, at),
    async corrupt(count: number): Promise<string[]> {
      const broken = await ids('DESC', count);
      await db.execute(`UPDATE ${t} SET is_active = 7 WHERE id IN (?)`, [broken]);
      return broken;
    },
    async remove(count: number): Promise<string[]> {
      const removed = await ids('ASC', count);
      await db.execute(`DELETE FROM ${t} WHERE id IN (?)`, [removed]);
      return removed;
    },
    close: () => reader.proxy.close(),
  };
}
