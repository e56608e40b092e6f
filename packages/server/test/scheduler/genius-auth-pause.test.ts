import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { geniusPlugin } from '@crmsync/plugin-genius';
import { DEFAULT_ADMIN_URL } from '../../../plugin-genius/src/fake-server/database.js';
import { skipReason } from '../../../plugin-genius/src/fake-server/test-env.js';
import { describe, expect, it } from 'vitest';
import { createCrmsync } from '../../src/app.js';
import { startScheduler } from '../../src/scheduler/start-scheduler.js';

const PASSWORD = 'not-the-pw-93c1';

async function until<T>(check: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The operator's bad day of issue 20: a wrong Genius password gave 26 `system` failures per
// scheduled tick and never paused the schedule.
describe.skipIf(skipReason !== null)(
  'the scheduler and a Genius database that refuses the password',
  () => {
    it('records one failed run of kind auth for `all`, and pauses the CRM with the reason', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-genius-auth-'));
      const url = new URL(DEFAULT_ADMIN_URL);
      url.username = 'root';
      url.password = PASSWORD;
      url.pathname = '/mysql';
      const app = await createCrmsync({
        cwd: dir,
        database: `file:${path.join(dir, 'crmsync.db')}`,
        plugins: [geniusPlugin],
        env: { GENIUS_DATABASE_URL: url.toString(), GENIUS_POOL_SIZE: '1' },
        log: { sink: () => {} },
      });
      const scheduler = await startScheduler({ app, processEveryMs: 200, heartbeatMs: 500 });
      try {
        const schedule = await scheduler.service.create({
          crmSource: 'genius',
          syncType: 'all',
          cron: '* * * * * *',
        });
        const row = await until(async () => {
          const r = await app.store.prisma.syncSchedule.findUniqueOrThrow({
            where: { id: schedule.id },
          });
          return !r.enabled && r;
        });
        expect(row.pausedReason).toMatch(
          /^genius rejected the credentials in run .*Access denied for user 'root'/,
        );
        expect(row.pausedReason).not.toContain(PASSWORD);
        // Past the next second's tick: the paused schedule starts nothing more.
        await new Promise((r) => setTimeout(r, 1_500));
        const runs = await app.history({ crmSource: 'genius', limit: 100 });
        expect(runs).toHaveLength(1);
        expect(runs[0]).toMatchObject({ status: 'failed', errorKind: 'auth', trigger: 'schedule' });
        // Every entity after the first is named as not attempted.
        expect(runs[0]?.errorMessage).toContain(
          `sync all stopped: ${geniusPlugin.entities.length - 1} more entities of genius not attempted`,
        );
      } finally {
        await scheduler.stop();
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
