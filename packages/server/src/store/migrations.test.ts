import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrateSqlite } from './migrations.js';

describe('the migration runner', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function folderWith(migrations: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-migrations-'));
    dirs.push(dir);
    for (const [name, sql] of Object.entries(migrations)) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'migration.sql'), sql);
    }
    return dir;
  }

  it('ships migrations for both databases that create the four tables', () => {
    for (const provider of ['sqlite', 'postgresql'] as const) {
      const [init] = loadMigrations(provider);
      for (const table of ['sync_history', 'sync_schedule', 'crm_record', 'sync_event']) {
        expect(init?.sql).toContain(`CREATE TABLE "${table}"`);
      }
    }
  });

  it('applies pending migrations in name order, each once', () => {
    const db = new Database(':memory:');
    const first = folderWith({
      '20260101000000_a': 'CREATE TABLE a (x INTEGER);',
      '20260201000000_b': 'INSERT INTO a VALUES (1);',
    });
    expect(migrateSqlite(db, loadMigrations('sqlite', first))).toEqual([
      '20260101000000_a',
      '20260201000000_b',
    ]);
    expect(migrateSqlite(db, loadMigrations('sqlite', first))).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM a').get()).toEqual({ n: 1 });
  });

  it('refuses a migration edited after it was applied', () => {
    const db = new Database(':memory:');
    migrateSqlite(
      db,
      loadMigrations('sqlite', folderWith({ '1_a': 'CREATE TABLE a (x INTEGER);' })),
    );
    expect(() =>
      migrateSqlite(
        db,
        loadMigrations('sqlite', folderWith({ '1_a': 'CREATE TABLE a (y TEXT);' })),
      ),
    ).toThrow(/migration 1_a was changed after it was applied/);
  });

  it('leaves nothing behind when a migration fails', () => {
    const db = new Database(':memory:');
    const folder = folderWith({
      '1_a': 'CREATE TABLE a (x INTEGER);',
      '2_bad': 'CREATE TABLE oops (',
    });
    expect(() => migrateSqlite(db, loadMigrations('sqlite', folder))).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'a'").get()).toBeUndefined();
  });
});

describe('the shipped SQLite migrations', () => {
  it('let the live records of an entity be counted from indexes alone', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, loadMigrations('sqlite'));
    // The statement countLiveRecords runs: all rows of the entity minus its deleted ones.
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT
           (SELECT count(*) FROM crm_record WHERE crm_source = ? AND entity = ?)
         - (SELECT count(*) FROM crm_record
            WHERE crm_source = ? AND entity = ? AND deleted_at IS NOT NULL)`,
      )
      .all('a', 'b', 'a', 'b') as Array<{ detail: string }>;
    const steps = plan.map((row) => row.detail);
    expect(
      steps.some((s) => /USING COVERING INDEX .*\(crm_source=\? AND entity=\?\)/.test(s)),
    ).toBe(true);
    expect(steps.some((s) => s.includes('USING INDEX crm_record_deleted_idx'))).toBe(true);
    expect(steps.some((s) => s.startsWith('SCAN crm_record'))).toBe(false);
    db.close();
  });
});

describe('the committed schemas', () => {
  it('are rendered from the one template', async () => {
    const { providers, renderSchema, schemaPath } = (await import(
      // @ts-expect-error: a plain .mjs build script without type declarations
      '../../prisma/build-schemas.mjs'
    )) as {
      providers: string[];
      renderSchema: (provider: string) => string;
      schemaPath: (provider: string) => string;
    };
    const { readFileSync } = await import('node:fs');
    for (const provider of providers) {
      expect(readFileSync(schemaPath(provider), 'utf8')).toBe(renderSchema(provider));
    }
  });

  it('have a migration: the latest one was made from the current schema', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    for (const provider of ['sqlite', 'postgresql'] as const) {
      const folder = path.join(import.meta.dirname, '..', '..', 'prisma', 'migrations', provider);
      const latest = readdirSync(folder).sort().at(-1) ?? '';
      const current = readFileSync(
        path.join(folder, '..', '..', provider, 'schema.prisma'),
        'utf8',
      );
      // Run `pnpm --filter @crmsync/server prisma:migration <name>` when this fails.
      expect(readFileSync(path.join(folder, latest, 'schema.prisma'), 'utf8')).toBe(current);
    }
  });
});
