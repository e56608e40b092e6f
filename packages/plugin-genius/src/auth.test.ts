import { SyncEngine } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_URL } from './fake-server/index.js';
import { skipReason } from './fake-server/test-env.js';
import geniusPlugin from './index.js';

const PASSWORD = 'wrong-pw-5d1e';

/** The test server's URL with other credentials. */
function urlAs(user: string, password: string): string {
  const url = new URL(DEFAULT_ADMIN_URL);
  url.username = user;
  url.password = password;
  url.pathname = '/mysql';
  return url.toString();
}

describe.skipIf(skipReason !== null)('Genius credentials the database refuses', () => {
  it.each([
    ['a wrong password (MySQL 1045)', urlAs('root', PASSWORD)],
    ['a user the server does not know (MariaDB 1698)', urlAs('no_such_user_x', PASSWORD)],
  ])('%s: one failed run of kind auth, and sync all attempts no other entity', async (_, url) => {
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, progressIntervalMs: 0 });
    const runs = await engine.runAll({
      plugin: geniusPlugin,
      config: { GENIUS_DATABASE_URL: url, GENIUS_TIMEZONE: 'UTC', GENIUS_POOL_SIZE: 1 },
    });
    const others = geniusPlugin.entities.length - 1;
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(run?.errorMessage).toMatch(
      new RegExp(
        `^genius ${run?.syncType}: Genius database refused the credentials of GENIUS_DATABASE_URL: Access denied.*; sync all stopped: ${others} more entities of genius not attempted \\(`,
      ),
    );
    expect(run?.errorMessage).not.toContain(PASSWORD);
    expect(await store.listRuns({})).toHaveLength(1);
  });
});
