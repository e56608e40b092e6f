import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

describe('the SQLite library', () => {
  // The store opens one database from two connections: Prisma's adapter and the bulk record
  // table. Two copies of SQLite in one process do not see each other's POSIX locks (closing a
  // file in one drops the other's locks), which can corrupt the database; it happened here
  // ("database disk image is malformed") while the adapter brought better-sqlite3 11 and the
  // store 12. Both must load the very same better-sqlite3.
  it('is the same better-sqlite3 for the Prisma adapter and the record table', () => {
    const require = createRequire(import.meta.url);
    const ours = realpathSync(require.resolve('better-sqlite3/package.json'));
    const adapter = createRequire(require.resolve('@prisma/adapter-better-sqlite3'));
    const theirs = realpathSync(adapter.resolve('better-sqlite3/package.json'));
    expect(theirs).toBe(ours);
  });
});
