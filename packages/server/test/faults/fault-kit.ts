import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SyncEngine } from '@crmsync/core';
import { type FakerServer, fakerPlugin, startFakerServer } from '@crmsync/plugin-faker';
import { afterAll, beforeAll, expect } from 'vitest';
import { type OpenStoreOptions, openStore } from '../../src/store/open-store.js';
import type { PrismaStore } from '../../src/store/prisma-store.js';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  postgresSkipReason,
  type TestDatabase,
} from '../store/test-databases.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** What the fault suite counts across its cases; printed at the end of each file. */
export const figures = { faults: 0, lost: 0, duplicated: 0, leftRunning: 0, crashes: 0 };

export function printFigures(file: string, startedAt: number): void {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(
    `[fault suite] ${file}: faults injected ${figures.faults}, records lost ${figures.lost}, duplicated ${figures.duplicated}, runs left running ${figures.leftRunning}, crashes ${figures.crashes} (${seconds} s)`,
  );
}

export type Backend = 'sqlite' | 'postgresql';

/** The backends to run on: SQLite always, PostgreSQL unless unreachable (fails under CI=true). */
export async function backends(what: string): Promise<Backend[]> {
  const skip = await postgresSkipReason(what);
  return skip === null ? ['sqlite', 'postgresql'] : ['sqlite'];
}

export function createDatabase(backend: Backend): Promise<TestDatabase> {
  return backend === 'sqlite'
    ? Promise.resolve(createSqliteTestDatabase())
    : createPostgresTestDatabase();
}

/** The source: a faker API whose records never change on their own. */
export function startSource(size: number): Promise<FakerServer> {
  return startFakerServer({
    size,
    seed: 7,
    changesPerMinute: 0,
    anchor: new Date('2026-01-01T00:00:00Z'),
  });
}

export const fakerConfig = (source: FakerServer) => ({
  baseUrl: source.url,
  token: source.token,
  size: 0,
  seed: 0,
  changesPerMinute: 0,
  requestsPerSecond: 1_000,
});

export interface Contents {
  count: number;
  distinct: number;
  digest: string;
  ids: Set<string>;
}

function contents(rows: Array<{ externalId: string; contentHash: string }>): Contents {
  const ids = new Set(rows.map((r) => r.externalId));
  const lines = rows.map((r) => `${r.externalId}:${r.contentHash}`).sort();
  return {
    count: rows.length,
    distinct: ids.size,
    digest: createHash('sha256').update(lines.join('\n')).digest('hex'),
    ids,
  };
}

/** The live records of an entity as a store holds them. */
export async function storeContents(store: PrismaStore, entity: string): Promise<Contents> {
  const rows = await store.prisma.crmRecord.findMany({
    where: { crmSource: 'faker', entity, deletedAt: null },
    select: { externalId: true, contentHash: true },
  });
  return contents(rows);
}

/** What the store must hold: the entity synced once, with no fault, into a fresh SQLite file. */
export async function referenceContents(source: FakerServer, entity: string): Promise<Contents> {
  const database = createSqliteTestDatabase();
  const store = await openStore({ databaseUrl: database.url });
  try {
    const engine = new SyncEngine({ store });
    const run = await engine.runEntity({
      plugin: fakerPlugin,
      entity,
      config: fakerConfig(source),
      options: { batchSize: 500 },
    });
    if (run.status !== 'success')
      throw new Error(`reference sync ${run.status}: ${run.errorMessage}`);
    return await storeContents(store, entity);
  } finally {
    await store.close();
    await database.drop();
  }
}

/** Counts what the store lost or duplicated against the reference, and runs left running. */
export async function tally(store: PrismaStore, entity: string, reference: Contents) {
  const held = await storeContents(store, entity);
  const lost = [...reference.ids].filter((id) => !held.ids.has(id)).length;
  figures.lost += lost;
  figures.duplicated += held.count - held.distinct;
  const running = await store.listRuns({ status: 'running' });
  figures.leftRunning += running.length;
  return { held, lost, running };
}

/**
 * The faker source of a test file and what a store must hold of `entity` after syncing it;
 * the file's figures are printed after its tests.
 */
export function useSource(file: string, size: number, entity = 'contacts') {
  const started = performance.now();
  const context = {} as { source: FakerServer; reference: Contents };
  beforeAll(async () => {
    context.source = await startSource(size);
    context.reference = await referenceContents(context.source, entity);
  });
  afterAll(async () => {
    await context.source?.close();
    printFigures(file, started);
  });
  return context;
}

/** The store holds exactly the source's records (count, keys, content); no run is left running. */
export async function expectStoreEqualsSource(
  store: PrismaStore,
  reference: Contents,
  entity = 'contacts',
): Promise<void> {
  const { held, lost, running } = await tally(store, entity, reference);
  expect({ lost, running: running.length }).toEqual({ lost: 0, running: 0 });
  expect(held).toEqual(reference);
}

/** `work` on a fresh migrated database of `backend` (its own), closed and dropped after. */
export async function withDatabase(
  backend: Backend,
  work: (database: TestDatabase, store: PrismaStore) => Promise<void>,
  options: Omit<OpenStoreOptions, 'databaseUrl'> = {},
): Promise<void> {
  const database = await createDatabase(backend);
  try {
    const store = await openStore({ ...options, databaseUrl: database.url });
    try {
      await work(database, store);
    } finally {
      await store.close();
    }
  } finally {
    await database.drop();
  }
}

export interface Child {
  process: ChildProcess;
  code: Promise<number | null>;
  signal: Promise<NodeJS.Signals | null>;
  out(): string;
  err(): string;
}

function start(args: string[], env: Record<string, string>, cwd: string, typescript = true): Child {
  const child = spawn(process.execPath, [...(typescript ? ['--import', 'tsx'] : []), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, signal) => resolve([code, signal])),
  );
  return {
    process: child,
    code: closed.then(([code]) => code),
    signal: closed.then(([, signal]) => signal),
    out: () => out,
    err: () => err,
  };
}

/** `crmsync <args>` as a process, on `databaseUrl`, reading the faker `source`. */
export function cli(
  args: string[],
  databaseUrl: string,
  source: FakerServer,
): Child & {
  done: () => void;
} {
  const cwd = mkdtempSync(path.join(tmpdir(), 'crmsync-fault-'));
  const child = start(
    [fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)), '--cwd', cwd, ...args],
    { DATABASE_URL: databaseUrl, FAKER_BASE_URL: source.url, FAKER_TOKEN: source.token },
    repo,
  );
  return { ...child, done: () => rmSync(cwd, { recursive: true, force: true }) };
}

/** sync-child.ts: the engine in another process (a worker, the API), with its own lease. */
export function syncChild(args: Record<string, unknown>): Child {
  return start([here('./sync-child.ts'), JSON.stringify(args)], {}, repo);
}

/** lock-holder.mjs: another process holding the SQLite write lock for `ms`. */
export async function holdSqliteLock(file: string, ms: number): Promise<Child> {
  const child = start([here('./lock-holder.mjs'), file, String(ms)], {}, here('../..'), false);
  await until(() => child.out().includes('locked'), 30_000);
  return child;
}

/** A process that ended with an uncaught error or an unhandled 'error' event crashed. */
export function crashed(child: Child): boolean {
  const crash =
    /Unhandled 'error' event|uncaughtException|UnhandledPromiseRejection|^\s+at .*node:internal/m.test(
      child.err(),
    );
  if (crash) figures.crashes++;
  return crash;
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The running run of an entity once it has stored at least `processed` records. */
export async function runningPast(store: PrismaStore, entity: string, processed: number) {
  let id = '';
  await until(async () => {
    // Until the process under test has migrated the database, there is no table to read.
    const [run] = await store
      .listRuns({ crmSource: 'faker', syncType: entity, status: 'running' })
      .catch(() => []);
    if (run && run.counts.processed >= processed && run.checkpoint) id = run.id;
    return id !== '';
  }, 40_000);
  return id;
}

export { openStore, type FakerServer, type PrismaStore, type TestDatabase };
