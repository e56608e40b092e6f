import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CrmsyncError, InputError, type RunEvent } from '@crmsync/core';
import { fakerPlugin } from '@crmsync/plugin-faker';
import { afterAll, describe, expect, it } from 'vitest';
import { createCrmsync, databaseUrlFor } from './app.js';

describe('createCrmsync()', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-app-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('syncs given plugins into the database, reports progress, lists and filters history', async () => {
    const crmsync = await createCrmsync({
      plugins: [fakerPlugin],
      cwd: dir,
      env: { FAKER_SIZE: '25' },
      database: `file:${path.join(dir, 'app.db')}`,
    });
    try {
      expect(crmsync.plugins.map((p) => p.plugin.name)).toEqual(['faker']);
      const events: RunEvent['type'][] = [];
      const runs = await crmsync.sync(
        'faker',
        'all',
        { 'batch-size': '10' },
        { onEvent: (e) => events.push(e.type) },
      );
      expect(runs.map((r) => [r.syncType, r.status, r.trigger])).toEqual(
        expect.arrayContaining([
          ['contacts', 'success', 'library'],
          ['companies', 'success', 'library'],
          ['deals', 'success', 'library'],
          ['activities', 'success', 'library'],
        ]),
      );
      expect(events.filter((t) => t === 'run-finished')).toHaveLength(4);
      expect(await crmsync.store.countRecords('faker', 'contacts')).toBe(25);

      const dry = await crmsync.sync('faker', 'deals', { dryRun: true, full: true });
      expect(dry[0]?.dryRun).toBe(true);
      expect((await crmsync.history({ syncType: 'deals' })).map((r) => r.dryRun)).toEqual([
        true,
        false,
      ]);
      const [faker] = await crmsync.listPlugins();
      expect(faker?.configured).toBe(true);
      expect(faker?.entities.find((e) => e.name === 'contacts')?.lastRun?.status).toBe('success');

      await expect(crmsync.sync('faker', 'tickets')).rejects.toThrow(InputError);
      await expect(crmsync.sync('hubspot', 'all')).rejects.toThrow(
        'expected one of the installed CRMs: faker',
      );
      await expect(crmsync.sync('faker', 'all', { startDate: '2025-02-30' })).rejects.toThrow(
        /start-date: expected a date as YYYY-MM-DD/,
      );
    } finally {
      await crmsync.close();
    }
  });

  it('refuses to sync an unconfigured plugin, naming the env var', async () => {
    const crmsync = await createCrmsync({
      plugins: [fakerPlugin],
      cwd: dir,
      env: { FAKER_SIZE: 'many' },
    });
    try {
      const error = await crmsync.sync('faker', 'all').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CrmsyncError);
      expect((error as CrmsyncError).kind).toBe('config');
      expect((error as Error).message).toMatch(/^faker is not configured: FAKER_SIZE is malformed/);
    } finally {
      await crmsync.close();
    }
  });

  it('picks the database: explicit, DATABASE_URL, config file, embedded SQLite', () => {
    const config = { database: 'file:./config.db' };
    const env = { DATABASE_URL: 'file:./env.db' };
    expect(databaseUrlFor({ database: 'file:./flag.db', env, config, cwd: dir })).toBe(
      'file:./flag.db',
    );
    expect(databaseUrlFor({ env, config, cwd: dir })).toBe('file:./env.db');
    expect(databaseUrlFor({ env: {}, config, cwd: dir })).toBe('file:./config.db');
    expect(databaseUrlFor({ env: {}, config: {}, cwd: dir })).toContain(
      path.join(dir, '.crmsync', 'crmsync.db'),
    );
  });
});
