import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Crmsync, createCrmsync } from '../../src/app.js';
import { type Scheduler, startScheduler } from '../../src/scheduler/start-scheduler.js';
import { SYNC_JOB, type SyncJobData } from '../../src/scheduler/sync-job.js';
import type { FleetFake } from './fleet-fake.js';

// What the scale-out test and the `workers` bench share: a project folder whose config loads
// the fleet plugin by path, a producer that puts one-off sync jobs in Agenda's PostgreSQL
// table, real `crmsync worker` processes (the built CLI), and the count of what they ran,
// read back from sync_history.

/** The built CLI: `pnpm build` makes it; the workers run exactly what a user runs. */
export const builtCli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** The CLI's source, run with tsx: no build needed (tests). */
const sourceCli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const pluginPath = fileURLToPath(new URL('./fleet-plugin.mjs', import.meta.url));

export interface FleetProject {
  dir: string;
  env: Record<string, string>;
  remove(): void;
}

/** A project folder with `crmsync.config.json` loading the fleet plugin, pointed at `fake`. */
export function fleetProject(fake: FleetFake): FleetProject {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-fleet-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'fleet-project', private: true }),
  );
  writeFileSync(join(dir, 'crmsync.config.json'), JSON.stringify({ load: [pluginPath] }));
  return {
    dir,
    env: {
      FLEET_URL: fake.url,
      FLEET_TOKEN: fake.token,
      FLEET_ENTITIES: String(fake.entities.length),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The producer side: the app (migrates the database) and Agenda without processing. */
export interface FleetQueue {
  app: Crmsync;
  scheduler: Scheduler;
  /**
   * One one-off sync job per entity: due a second ago, or `parked` a day ahead (no worker
   * takes them) until `release()`.
   */
  enqueue(entities: readonly string[], options?: { parked?: boolean }): Promise<void>;
  /**
   * Makes every parked job due at one instant (one UPDATE) and wakes the workers with one
   * notification, as Agenda's own save would; resolves with that instant (epoch ms).
   */
  release(): Promise<number>;
  close(): Promise<void>;
}

export async function openFleetQueue(project: FleetProject, database: string): Promise<FleetQueue> {
  const app = await createCrmsync({ database, cwd: project.dir, env: project.env });
  const scheduler = await startScheduler({
    app,
    env: project.env,
    processJobs: false,
    mirror: false,
    kind: 'producer',
  });
  return {
    app,
    scheduler,
    async enqueue(entities, options = {}) {
      const due = new Date(Date.now() + (options.parked ? 86_400_000 : -1_000));
      for (const entity of entities) {
        const data: SyncJobData = { crm: 'fleet', entity, options: {}, scheduleId: null };
        await scheduler.agenda.create(SYNC_JOB, data).schedule(due).save();
      }
    },
    async release() {
      const prisma = app.store.prisma;
      const [{ now }] = await prisma.$queryRawUnsafe<[{ now: Date }]>(
        `UPDATE agenda_jobs SET next_run_at = now() WHERE name = $1 RETURNING now() AS now`,
        SYNC_JOB,
      );
      const at = new Date(now);
      // The payload and channel of @agendajs/postgres-backend's notifications (its channel is
      // `agenda:jobs` unless configured, whatever its table is called).
      const payload = JSON.stringify({
        jobId: '00000000-0000-0000-0000-000000000000',
        jobName: SYNC_JOB,
        nextRunAt: at.toISOString(),
        priority: 0,
        timestamp: at.toISOString(),
        source: 'fleet-producer',
      });
      await prisma.$executeRawUnsafe(`SELECT pg_notify('agenda:jobs', $1)`, payload);
      return at.getTime();
    },
    async close() {
      await scheduler.stop();
      await app.close();
    },
  };
}

export interface WorkerProcess {
  id: string;
  child: ChildProcess;
  /** ms from spawn to the worker's "taking jobs" line. */
  ready: Promise<number>;
  output(): string;
  /** SIGTERM, then resolves with the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * `crmsync --cwd <project> worker --worker-id <id> …`: the built CLI (`node
 * packages/server/dist/cli/main.js`), or with `source` its TypeScript under tsx.
 */
export function spawnWorker(
  project: FleetProject,
  database: string,
  id: string,
  flags: string[] = [],
  options: { source?: boolean } = {},
): WorkerProcess {
  if (!options.source && !existsSync(builtCli))
    throw new Error(`${builtCli} is missing: run pnpm build first`);
  const entry = options.source ? ['--import', 'tsx', sourceCli] : [builtCli];
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...entry, '--cwd', project.dir, 'worker', '--database', database, '--worker-id', id, ...flags],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...project.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const ready = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('taking jobs')) resolve(performance.now() - started);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    void exited.then((code) => reject(new Error(`worker ${id} exited with ${code}:\n${out}`)));
  });
  // A worker that dies after it was ready is reported by the run counts, not here.
  ready.catch(() => undefined);
  return {
    id,
    child,
    ready,
    output: () => out,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface FleetRun {
  id: string;
  entity: string;
  status: string;
  workerId: string | null;
  startTime: Date;
  endTime: Date | null;
  errorMessage: string | null;
}

/** Every fleet run in sync_history, oldest first. */
export async function fleetRuns(app: Crmsync): Promise<FleetRun[]> {
  const rows = await app.store.prisma.syncHistory.findMany({
    where: { crmSource: 'fleet' },
    orderBy: { startTime: 'asc' },
    select: {
      id: true,
      syncType: true,
      status: true,
      workerId: true,
      startTime: true,
      endTime: true,
      errorMessage: true,
    },
  });
  return rows.map((r) => ({ ...r, entity: r.syncType }));
}

export interface RunCount {
  /** Entities with more than one run: a job run twice. */
  doubleRuns: string[];
  /** Entities with no successful run. */
  missed: string[];
  /** Successful runs by worker id. */
  byWorker: Map<string, number>;
}

export function countRuns(runs: readonly FleetRun[], entities: readonly string[]): RunCount {
  const perEntity = new Map<string, FleetRun[]>();
  for (const run of runs) perEntity.set(run.entity, [...(perEntity.get(run.entity) ?? []), run]);
  const byWorker = new Map<string, number>();
  for (const run of runs)
    if (run.status === 'success')
      byWorker.set(run.workerId ?? '?', (byWorker.get(run.workerId ?? '?') ?? 0) + 1);
  return {
    doubleRuns: entities.filter((e) => (perEntity.get(e)?.length ?? 0) > 1),
    missed: entities.filter((e) => !perEntity.get(e)?.some((r) => r.status === 'success')),
    byWorker,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls sync_history until `check` holds; throws after `timeoutMs`. */
export async function waitForRuns(
  app: Crmsync,
  check: (runs: FleetRun[]) => boolean,
  timeoutMs: number,
  pollMs = 100,
): Promise<FleetRun[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await fleetRuns(app);
    if (check(runs)) return runs;
    if (Date.now() > deadline)
      throw new Error(
        `runs not done in ${timeoutMs} ms: ${runs.filter((r) => r.status !== 'running').length} finished, ${runs.filter((r) => r.status === 'running').length} running; not successful: ${
          runs
            .filter((r) => r.status !== 'success')
            .map((r) => `${r.entity} on ${r.workerId}: ${r.status} ${r.errorMessage ?? ''}`)
            .join('; ') || 'none'
        }`,
      );
    await sleep(pollMs);
  }
}
