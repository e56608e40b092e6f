import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Throwaway databases for tests (this package's and the API's/scheduler's): a SQLite file in
 * a temp folder, or a PostgreSQL database `crmsync_test_<random>` dropped afterwards.
 * `CRMSYNC_TEST_POSTGRES_URL` names the server (default: user postgres on 127.0.0.1:5432).
 */
export const POSTGRES_TEST_ADMIN_URL =
  process.env.CRMSYNC_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Why PostgreSQL cannot be used for tests, or null when it can. */
export async function postgresUnavailable(
  adminUrl = POSTGRES_TEST_ADMIN_URL,
): Promise<string | null> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL at ${adminUrl.replace(/:[^:@/]*@/, ':***@')} is unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Why `tests` (e.g. "the PostgreSQL store tests") are skipped here, or null when PostgreSQL is
 * reachable. Under `CI=true` an unreachable server throws instead: those tests must run in CI.
 */
export async function postgresSkipReason(tests: string): Promise<string | null> {
  const problem = await postgresUnavailable();
  if (problem && process.env.CI === 'true') throw new Error(`${problem}; ${tests} must run in CI`);
  if (problem) console.warn(`Skipping ${tests}: ${problem}`);
  return problem;
}

export async function createPostgresTestDatabase(
  adminUrl = POSTGRES_TEST_ADMIN_URL,
): Promise<TestDatabase> {
  const name = `crmsync_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropDatabase(adminUrl, name),
  };
}

export function createSqliteTestDatabase(): TestDatabase {
  const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-store-'));
  return {
    url: `file:${path.join(dir, 'crmsync.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * `pg` closes a pool's connections without waiting for the server to see them go, so a
 * forced drop right after a clean disconnect terminates sessions that are already closing, and
 * `pg` throws that on a client nobody listens to any more. Wait (up to 2 s) for the sessions to
 * leave, then force out whatever is left: a killed worker's, say.
 */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const deadline = Date.now() + 2_000;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      if ((rows[0]?.n ?? 0) === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
