import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type DatabaseProvider = 'sqlite' | 'postgresql';

/** A database URL parsed once, at the edge. */
export interface DatabaseTarget {
  provider: DatabaseProvider;
  url: string;
  /** SQLite only: the absolute path of the database file. */
  filename?: string;
  /** PostgreSQL only: the schema from `?schema=` (Prisma's convention); tables go there. */
  schema?: string;
}

/**
 * The database the server uses: `DATABASE_URL` when set, otherwise the embedded SQLite file
 * `<cwd>/.crmsync/crmsync.db` (its folder is created).
 *
 * @example
 * resolveDatabaseUrl(process.env, process.cwd()); // 'file:/srv/app/.crmsync/crmsync.db'
 */
export function resolveDatabaseUrl(env: Record<string, string | undefined>, cwd: string): string {
  const configured = env.DATABASE_URL?.trim();
  if (configured) return parseDatabaseUrl(configured, cwd).url;
  const filename = path.join(cwd, '.crmsync', 'crmsync.db');
  mkdirSync(path.dirname(filename), { recursive: true });
  return `file:${filename}`;
}

/**
 * `file:<path>` (relative paths resolve against `cwd`) → SQLite; `postgres://` or
 * `postgresql://` → PostgreSQL. Anything else is refused with what is accepted.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return parsePostgresUrl(url);
  if (url.startsWith('file:')) {
    const filename = sqliteFilename(url, cwd);
    if (filename === ':memory:') {
      throw new Error(
        'DATABASE_URL file::memory: is not supported: the store opens the file from more than one connection; use a file path',
      );
    }
    return { provider: 'sqlite', url: `file:${filename}`, filename };
  }
  throw new Error(
    `DATABASE_URL must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL); got ${redact(url)}`,
  );
}

function parsePostgresUrl(url: string): DatabaseTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`DATABASE_URL is not a valid PostgreSQL URL: ${redact(url)}`);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema === undefined) return { provider: 'postgresql', url };
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(
      `DATABASE_URL ?schema= must be a plain identifier (letters, digits, _); got ${schema}`,
    );
  }
  // node-postgres does not know `schema`; the store applies it as the search_path instead.
  parsed.searchParams.delete('schema');
  return { provider: 'postgresql', url: parsed.toString(), schema };
}

function sqliteFilename(url: string, cwd: string): string {
  if (url.startsWith('file://')) return fileURLToPath(url.split('?')[0] ?? url);
  const raw = (url.slice('file:'.length).split('?')[0] ?? '').trim();
  if (raw === ':memory:') return raw;
  if (raw === '') throw new Error('DATABASE_URL file: names no file');
  return path.resolve(cwd, raw);
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
