import type { DatabaseProvider, PrismaClient } from '../store/index.js';

export interface WorkerBeat {
  id: string;
  /** `worker` (jobs only) or `start` (API + jobs in one process). */
  kind: string;
  startedAt: Date;
  lastSeenAt: Date;
  activeJobs: number;
}

interface WorkerRow {
  id: string;
  kind: string;
  started_at: bigint | number;
  last_seen_at: bigint | number;
  active_jobs: bigint | number;
}

/**
 * Processes that run sync jobs, each beating into `crmsync_worker` in the store's database (so
 * `crmsync server` sees workers on other machines whatever Agenda's backend is). Times are
 * epoch milliseconds: one column type that SQLite and PostgreSQL read back alike.
 *
 * @example
 * const workers = new WorkerRegistry(store.prisma, store.provider);
 * await workers.beat({ id: 'host:42', kind: 'worker', startedAt, activeJobs: 1 });
 */
export class WorkerRegistry {
  readonly #prisma: PrismaClient;
  readonly #provider: DatabaseProvider;
  #ready: Promise<void> | undefined;

  constructor(prisma: PrismaClient, provider: DatabaseProvider) {
    this.#prisma = prisma;
    this.#provider = provider;
  }

  #params(n: number): string[] {
    return Array.from({ length: n }, (_, i) =>
      this.#provider === 'postgresql' ? `$${i + 1}` : '?',
    );
  }

  #create(): Promise<number> {
    return this.#prisma.$executeRawUnsafe(
      `CREATE TABLE IF NOT EXISTS crmsync_worker (
         id TEXT PRIMARY KEY,
         kind TEXT NOT NULL,
         started_at BIGINT NOT NULL,
         last_seen_at BIGINT NOT NULL,
         active_jobs INTEGER NOT NULL
       )`,
    );
  }

  #ensure(): Promise<void> {
    this.#ready ??= this.#create()
      // Two workers starting together on PostgreSQL race on CREATE TABLE IF NOT EXISTS: the
      // loser gets a duplicate-type error although the table now exists, so try once more.
      .catch(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return this.#create();
      })
      .then(
        () => undefined,
        (error: unknown) => {
          // Not cached: the next beat tries again instead of failing forever.
          this.#ready = undefined;
          throw error;
        },
      );
    return this.#ready;
  }

  async beat(worker: Omit<WorkerBeat, 'lastSeenAt'>): Promise<void> {
    await this.#ensure();
    const p = this.#params(5);
    await this.#prisma.$executeRawUnsafe(
      `INSERT INTO crmsync_worker (id, kind, started_at, last_seen_at, active_jobs)
       VALUES (${p.join(', ')})
       ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at,
         active_jobs = excluded.active_jobs, kind = excluded.kind`,
      worker.id,
      worker.kind,
      worker.startedAt.getTime(),
      Date.now(),
      worker.activeJobs,
    );
  }

  async remove(id: string): Promise<void> {
    await this.#ensure();
    await this.#prisma.$executeRawUnsafe(
      `DELETE FROM crmsync_worker WHERE id = ${this.#params(1)[0]}`,
      id,
    );
  }

  /** Workers seen since `since`, most recent first. */
  async list(since: Date): Promise<WorkerBeat[]> {
    await this.#ensure();
    const rows = await this.#prisma.$queryRawUnsafe<WorkerRow[]>(
      `SELECT id, kind, started_at, last_seen_at, active_jobs FROM crmsync_worker
       WHERE last_seen_at >= ${this.#params(1)[0]} ORDER BY last_seen_at DESC`,
      since.getTime(),
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      startedAt: new Date(Number(r.started_at)),
      lastSeenAt: new Date(Number(r.last_seen_at)),
      activeJobs: Number(r.active_jobs),
    }));
  }
}
