import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDatabaseUrl, redact, resolveDatabaseUrl } from './database-url.js';

describe('resolveDatabaseUrl', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-url-'));
    dirs.push(dir);
    return dir;
  };

  it('defaults to .crmsync/crmsync.db under cwd and creates the folder', () => {
    const cwd = tempDir();
    expect(resolveDatabaseUrl({}, cwd)).toBe(`file:${path.join(cwd, '.crmsync', 'crmsync.db')}`);
    expect(existsSync(path.join(cwd, '.crmsync'))).toBe(true);
  });

  it('treats an empty DATABASE_URL as unset', () => {
    const cwd = tempDir();
    expect(resolveDatabaseUrl({ DATABASE_URL: '  ' }, cwd)).toBe(
      `file:${path.join(cwd, '.crmsync', 'crmsync.db')}`,
    );
  });

  it('uses an absolute file: path as it is and resolves a relative one against cwd', () => {
    expect(resolveDatabaseUrl({ DATABASE_URL: 'file:/some/path.db' }, '/srv')).toBe(
      'file:/some/path.db',
    );
    expect(resolveDatabaseUrl({ DATABASE_URL: 'file:./data/x.db' }, '/srv/app')).toBe(
      'file:/srv/app/data/x.db',
    );
    expect(resolveDatabaseUrl({ DATABASE_URL: 'file:///var/lib/crmsync.db' }, '/srv')).toBe(
      'file:/var/lib/crmsync.db',
    );
  });

  it('passes postgres:// and postgresql:// URLs through', () => {
    expect(resolveDatabaseUrl({ DATABASE_URL: 'postgres://u:p@db:5432/crm' }, '/srv')).toBe(
      'postgres://u:p@db:5432/crm',
    );
    expect(parseDatabaseUrl('postgresql://db/crm').provider).toBe('postgresql');
  });
});

describe('parseDatabaseUrl', () => {
  it('takes the PostgreSQL schema from ?schema= and removes it from the driver URL', () => {
    expect(parseDatabaseUrl('postgresql://db/crm?schema=tenant_1&sslmode=disable')).toEqual({
      provider: 'postgresql',
      url: 'postgresql://db/crm?sslmode=disable',
      schema: 'tenant_1',
    });
    expect(() => parseDatabaseUrl('postgresql://db/crm?schema=a";drop')).toThrow(
      /plain identifier/,
    );
  });

  it('refuses other schemes and in-memory SQLite, saying what is accepted', () => {
    expect(() => parseDatabaseUrl('mysql://root:secret@db/crm')).toThrow(
      /must start with file: \(SQLite\) or postgres:\/\/ \/ postgresql:\/\/.*mysql:\/\/root:\*\*\*@db\/crm/,
    );
    expect(() => parseDatabaseUrl('file::memory:')).toThrow(/not supported/);
    expect(() => parseDatabaseUrl('file:')).toThrow(/names no file/);
  });

  it('never shows a password', () => {
    expect(redact('postgresql://crm:s3cret@db:5432/crm')).toBe('postgresql://crm:***@db:5432/crm');
  });
});
