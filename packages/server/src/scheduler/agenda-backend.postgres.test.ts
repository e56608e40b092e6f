import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresTestDatabase,
  postgresUnavailable,
  type TestDatabase,
} from '../../test/store/test-databases.js';
import { createAgendaBackend, parseAgendaUrl } from './agenda-backend.js';

// Workers that start together each run @agendajs/postgres-backend's schema statements; run
// side by side, PostgreSQL rejects one with "tuple concurrently updated". Skipped with the
// reason when PostgreSQL is unreachable, failed when CI=true.

const unavailable = await postgresUnavailable();
if (unavailable && process.env.CI === 'true') throw new Error(unavailable);
if (unavailable) console.warn(`Agenda PostgreSQL backend tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)('the Agenda PostgreSQL backend', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createPostgresTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('lets many processes connect at once to a database that already has the schema', async () => {
    const first = createAgendaBackend(parseAgendaUrl(db.url));
    await first.connect();
    try {
      for (let round = 0; round < 3; round++) {
        const backends = Array.from({ length: 6 }, () =>
          createAgendaBackend(parseAgendaUrl(db.url)),
        );
        const outcomes = await Promise.allSettled(backends.map((b) => b.connect()));
        await Promise.all(backends.map((b) => b.disconnect()));
        const failures = outcomes.flatMap((o) =>
          o.status === 'rejected' ? [String(o.reason)] : [],
        );
        expect(failures).toEqual([]);
      }
    } finally {
      await first.disconnect();
    }
  }, 60_000);

  it('lets many processes create the schema at once on an empty database', async () => {
    const fresh = await createPostgresTestDatabase();
    try {
      const backends = Array.from({ length: 6 }, () =>
        createAgendaBackend(parseAgendaUrl(fresh.url)),
      );
      const outcomes = await Promise.allSettled(backends.map((b) => b.connect()));
      await Promise.all(backends.map((b) => b.disconnect()));
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      expect(failures).toEqual([]);
    } finally {
      await fresh.drop();
    }
  }, 60_000);
});
