import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_TEST_ADMIN_URL } from '../../src/store/test-databases.js';
import {
  backends,
  type Contents,
  cli,
  crashed,
  createDatabase,
  type FakerServer,
  figures,
  openStore,
  printFigures,
  referenceContents,
  runningPast,
  startSource,
  tally,
} from './fault-kit.js';

// PostgreSQL backends terminated mid-sync (pg_terminate_backend, as an admin or a failover
// does): the CLI must not crash on the dropped connections; the writes are retried on new
// ones, and the run ends with a truthful row and every record stored.
const started = performance.now();
let source: FakerServer;
let reference: Contents;
const onPostgres = (await backends('the PostgreSQL fault tests')).includes('postgresql');

beforeAll(async () => {
  source = await startSource(1_500);
  reference = await referenceContents(source, 'contacts');
});
afterAll(async () => {
  await source?.close();
  printFigures('postgres-terminate', started);
});

/** Terminates every session of the database; how many there were. */
async function terminateSessions(database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: POSTGRES_TEST_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ ok: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return rows.filter((r) => r.ok).length;
  } finally {
    await admin.end();
  }
}

describe.skipIf(!onPostgres)('PostgreSQL sessions terminated during a CLI sync', () => {
  it('neither crash the CLI nor lose a record; the run ends success with every record', {
    timeout: 90_000,
  }, async () => {
    const database = await createDatabase('postgresql');
    const name = new URL(database.url).pathname.slice(1);
    try {
      const sync = cli(
        ['sync', 'faker', 'contacts', '--batch-size', '30', '--latency-ms', '40'],
        database.url,
        source,
      );
      // Watch for the run, then let go of the database before terminating its sessions.
      const watcher = await openStore({ databaseUrl: database.url, migrate: false });
      await runningPast(watcher, 'contacts', 150).finally(() => watcher.close());
      let terminated = 0;
      for (let i = 0; i < 3; i++) {
        terminated += await terminateSessions(name);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      figures.faults += terminated;
      expect(terminated).toBeGreaterThan(0);

      const code = await sync.code;
      sync.done();
      expect(crashed(sync), sync.err()).toBe(false);
      expect(code, sync.err()).toBe(0);
      const store = await openStore({ databaseUrl: database.url, migrate: false });
      try {
        const [run] = await store.listRuns({ crmSource: 'faker', syncType: 'contacts' });
        expect(run).toMatchObject({ status: 'success', errorKind: null });
        expect(run?.counts.failed).toBe(0);
        const { held, lost, running } = await tally(store, 'contacts', reference);
        expect({ lost, running: running.length }).toEqual({ lost: 0, running: 0 });
        expect(held).toEqual(reference);
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });
});
