import {
  deadHolderReason,
  RunAlreadyRunningError,
  type RunEvent,
  type SyncOptions,
} from '@crmsync/core';
import type { ApiRuntime } from '../runtime/api-runtime.js';
import { RunAlreadyActiveError } from './errors.js';

interface Launch {
  crm: string;
  entities: ReadonlySet<string>;
  controller: AbortController;
  runIds: Set<string>;
  /** Settles when the launch's sync is over. */
  done?: Promise<unknown>;
}

export interface StartRequest {
  crm: string;
  /** An entity name, or `all`. */
  entity: string;
  /** The entities the launch will run (one, or every entity for `all`). */
  entities: string[];
  options: SyncOptions;
}

/**
 * The runs this process started through the API: one AbortController per launch, so
 * `cancelSync` can stop a run, and a guard that refuses a second start of a (crm, entity)
 * that is already running (here, or in another process sharing the database).
 *
 * @example
 * const runs = new RunControl(runtime);
 * const runId = await runs.start({ crm: 'faker', entity: 'contacts', entities: ['contacts'], options: {} });
 * await runs.cancel(runId);
 */
export class RunControl {
  readonly #runtime: ApiRuntime;
  readonly #launches = new Set<Launch>();
  readonly #finished = new Map<string, Array<() => void>>();
  readonly #unsubscribe: () => void;

  constructor(runtime: ApiRuntime) {
    this.#runtime = runtime;
    this.#unsubscribe = runtime.subscribe((event) => this.#onEvent(event));
  }

  /** Starts the sync without awaiting it; resolves with the first run's id once its row exists. */
  async start(request: StartRequest): Promise<string> {
    const busy = this.#activeRun(request.crm, request.entities);
    if (busy) throw new RunAlreadyActiveError(busy.crm, busy.entity, busy.runId);
    const launch: Launch = {
      crm: request.crm,
      entities: new Set(request.entities),
      controller: new AbortController(),
      runIds: new Set(),
    };
    // Reserved before the database check, so two concurrent starts cannot both pass it.
    this.#launches.add(launch);
    try {
      // The store refuses a second running run of an entity whatever begins it (beginRun); this
      // look only lets `all` be refused whole, up front. A holder whose process is provably gone
      // does not count: the engine reaps it and resumes from its checkpoint.
      const elsewhere = await this.#runtime.prisma.syncHistory.findMany({
        where: {
          crmSource: request.crm,
          syncType: { in: request.entities },
          status: 'running',
          dryRun: false,
        },
        orderBy: { startTime: 'desc' },
      });
      const live = elsewhere.find((run) => deadHolderReason(run, new Date()) === null);
      if (live) throw new RunAlreadyActiveError(request.crm, live.syncType, live.id);
    } catch (error) {
      this.#launches.delete(launch);
      throw error;
    }

    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const started = (runId: string) => {
        if (settled) return;
        settled = true;
        resolve(runId);
      };
      this.#pending.set(launch, started);
      launch.done = this.#runtime
        .runSync({
          crm: request.crm,
          entity: request.entity,
          options: request.options,
          signal: launch.controller.signal,
        })
        .then(
          () => {
            if (!settled) {
              settled = true;
              reject(
                new Error(
                  `The ${request.crm} sync of ${request.entity} finished without starting a run`,
                ),
              );
            }
          },
          (error: unknown) => {
            if (!settled) {
              settled = true;
              // Another process began the entity between the look above and beginRun.
              reject(
                error instanceof RunAlreadyRunningError
                  ? new RunAlreadyActiveError(request.crm, error.running.syncType, error.running.id)
                  : error,
              );
            }
          },
        )
        .finally(() => {
          this.#pending.delete(launch);
          this.#launches.delete(launch);
        });
    });
  }

  /**
   * Aborts a run this process started; resolves once its row is finished. False when the run is
   * not one of this process's running runs.
   */
  async cancel(runId: string, timeoutMs = 30_000): Promise<boolean> {
    const launch = [...this.#launches].find((l) => l.runIds.has(runId));
    if (!launch) return false;
    const finished = new Promise<void>((resolve) => {
      const waiting = this.#finished.get(runId) ?? [];
      waiting.push(resolve);
      this.#finished.set(runId, waiting);
      setTimeout(resolve, timeoutMs).unref();
    });
    launch.controller.abort(new Error('Cancelled through the API'));
    await finished;
    return true;
  }

  /** Aborts every run this process started (server shutdown). */
  /**
   * Aborts every run this process started (server shutdown) and resolves once they have
   * finished their rows, or after `timeoutMs`, so the store is not closed under a run.
   */
  async abortAll(reason: string, timeoutMs = 15_000): Promise<void> {
    const launches = [...this.#launches];
    for (const launch of launches) launch.controller.abort(new Error(reason));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(launches.map((l) => l.done)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  close(): void {
    this.#unsubscribe();
  }

  readonly #pending = new Map<Launch, (runId: string) => void>();

  #activeRun(
    crm: string,
    entities: string[],
  ): { crm: string; entity: string; runId: string } | null {
    for (const launch of this.#launches) {
      if (launch.crm !== crm) continue;
      const overlap = entities.find((e) => launch.entities.has(e));
      if (overlap === undefined) continue;
      const runId = [...launch.runIds].at(-1) ?? 'starting';
      return { crm, entity: overlap, runId };
    }
    return null;
  }

  #onEvent(event: RunEvent): void {
    if (event.type === 'run-started') {
      const { run } = event;
      for (const launch of this.#launches) {
        if (launch.crm !== run.crmSource || !launch.entities.has(run.syncType)) continue;
        launch.runIds.add(run.id);
        this.#pending.get(launch)?.(run.id);
        return;
      }
    } else if (event.type === 'run-finished') {
      const waiting = this.#finished.get(event.run.id);
      this.#finished.delete(event.run.id);
      for (const resolve of waiting ?? []) resolve();
    }
  }
}
