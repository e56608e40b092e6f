import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { POSTGRES_TEST_ADMIN_URL } from '../store/test-databases.js';
import {
  backends,
  cli,
  crashed,
  expectStoreEqualsSource,
  figures,
  runningPast,
  useSource,
  withDatabase,
} from './fault-kit.js';

// PostgreSQL backends terminated mid-sync (pg_terminate_backend, as an admin or a failover
// does): the CLI must not crash on the dropped connections; the writes are retried on new
// ones, and the run ends with a truthful row and every record stored.
const onPostgres = (await backends('the PostgreSQL fault tests')).includes('postgresql');
const fixture = useSource('postgres-terminate', 1_500);

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
  it(
    'neither crash the CLI nor lose a record; the run ends success with every record',
    {
      timeout: 90_000,
    },
    () =>
      withDatabase('postgresql', async (database, store) => {
        const name = new URL(database.url).pathname.slice(1);
        const sync = cli(
          ['sync', 'faker', 'contacts', '--batch-size', '30', '--latency-ms', '40'],
          database.url,
          fixture.source,
        );
        await runningPast(store, 'contacts', 150);
        // Every session of the database goes, this test's own included, three times over.
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
        const [run] = await store.listRuns({ crmSource: 'faker', syncType: 'contacts' });
        expect(run).toMatchObject({ status: 'success', errorKind: null });
        expect(run?.counts.failed).toBe(0);
        await expectStoreEqualsSource(store, fixture.reference);
      }),
  );
});
