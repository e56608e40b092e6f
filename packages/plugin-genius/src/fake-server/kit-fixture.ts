import { quoteIdent } from '../client.js';
import { toNaive } from '../timezone.js';
import { DEFAULT_ADMIN_URL, GeniusTestDatabase } from './database.js';
import { MysqlProxy } from './proxy.js';

const withPassword = (url: URL, password: string) => {
  const copy = new URL(url);
  copy.password = password;
  return copy.toString();
};

/**
 * What the plugin test kit needs from Genius, built on a throw-away MariaDB database behind
 * a MySQL proxy: the kit's entity is `appointments`; "server errors" are dropped connections;
 * page sizes are read from the LIMIT of each query the proxy saw.
 */
export async function startGeniusKitFixture(options: { size: number; timeZone?: string }) {
  const timeZone = options.timeZone ?? 'America/New_York';
  const db = await GeniusTestDatabase.create({
    timeZone,
    size: Math.min(options.size, 30),
    sizes: { appointment: options.size },
  });
  const admin = new URL(DEFAULT_ADMIN_URL);
  const proxy = await MysqlProxy.start(admin.hostname, Number(admin.port || 3306));
  const url = new URL(db.url);
  url.port = String(proxy.port);
  const table = /FROM `appointment`/;

  return {
    db,
    proxy,
    config: { GENIUS_DATABASE_URL: url.toString(), GENIUS_TIMEZONE: timeZone, GENIUS_POOL_SIZE: 2 },
    pluginOptions: {},
    badCredentials: { GENIUS_DATABASE_URL: withPassword(url, 'wrong-genius-password') },
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
    injectFault(
      fault:
        | { kind: 'rate-limit'; retryAfterSeconds: number }
        | { kind: 'server-error'; count: number },
    ) {
      if (fault.kind === 'rate-limit')
        throw new Error('a database has no rate limit (declared unsupported)');
      proxy.dropNext(fault.count, table);
    },
    requestedPageSizes: () =>
      proxy.queries
        .filter((q) => table.test(q))
        .map((q) => Number(/LIMIT (\d+)\s*$/.exec(q)?.[1] ?? Number.NaN)),
    async setUpdatedAt(externalId: string, at: Date): Promise<void> {
      await db.execute(`UPDATE appointment SET updated_at = ? WHERE ${quoteIdent('id')} = ?`, [
        toNaive(at, timeZone).slice(0, 19),
        externalId,
      ]);
    },
    async close(): Promise<void> {
      await proxy.close();
      await db.drop();
    },
  };
}
