import {
  deadHolderReason,
  RunAlreadyRunningError,
  type RunTrigger,
  type SyncHook,
} from '@crmsync/core';
import type { SyncRequest } from '../syncs/index.js';
import type { ApiRuntime } from './context.js';
import { RunAlreadyActiveError } from './errors.js';

interface Launch {
  crm: string;
  entities: ReadonlySet<string>;
  controller: AbortController;
  /** The runs of this launch so far (the sync service's live list once started). */
  runIds: readonly string[];
  /** Waiting cancels, by run id, resolved when that run finishes. */
  finished: Map<string, Array<() => void>>;
  /** Runs of the launch already finished. */
  over: Set<string>;
  /** Settles when the launch's sync is over. */
  done?: Promise<unknown>;
}

/**
 * The syncs this process started through the API: one AbortController per launch, so
 * `cancelSync` can stop a run, and a guard that refuses a second start of a (crm, entity)
 * that is already running (here, or in another process sharing the database).
 *
 * @example
 * const runs = new RunControl(runtime);
 * const runId = await runs.start(runtime.syncs.parse({ crm: 'faker', entity: 'contacts' }));
 * await runs.cancel(runId);
 */
export class RunControl {
  readonly #runtime: ApiRuntime;
  readonly #launches = new Set<Launch>();

  constructor(runtime: ApiRuntime) {
    this.#runtime = runtime;
  }

  /** Starts the sync without awaiting it; resolves with the first run's id once its row exists. */
  async start(request: SyncRequest): Promise<string> {
    const busy = this.#activeRun(request.crm, request.entities);
    if (busy) throw new RunAlreadyActiveError(busy.crm, busy.entity, busy.runId);
    const launch: Launch = {
      crm: request.crm,
      entities: new Set(request.entities),
      controller: new AbortController(),
      runIds: [],
      finished: new Map(),
      over: new Set(),
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
          syncType: { in: [...request.entities] },
          status: 'running',
          dryRun: false,
        },
        orderBy: { startTime: 'desc' },
      });
      const live = elsewhere.find((run) => deadHolderReason(run, new Date()) === null);
      if (live)
        throw refusal(new RunAlreadyRunningError({ ...live, trigger: live.trigger as RunTrigger }));
      const finishedHook: SyncHook = {
        onRunFinished: (run) => {
          launch.over.add(run.id);
          for (const resolve of launch.finished.get(run.id) ?? []) resolve();
          launch.finished.delete(run.id);
        },
      };
      const started = await this.#runtime.syncs.start(request, {
        trigger: 'api',
        signal: launch.controller.signal,
        hooks: [finishedHook],
      });
      launch.runIds = started.runIds;
      launch.done = started.done
        .catch(() => undefined)
        .finally(() => this.#launches.delete(launch));
      return started.runId;
    } catch (error) {
      this.#launches.delete(launch);
      // Another process began the entity between the look above and beginRun.
      throw error instanceof RunAlreadyRunningError ? refusal(error) : error;
    }
  }

  /**
   * Aborts a run this process started; resolves once its row is finished. False when the run is
   * not one of this process's running runs.
   */
  async cancel(runId: string, timeoutMs = 30_000): Promise<boolean> {
    const launch = [...this.#launches].find((l) => l.runIds.includes(runId));
    if (!launch) return false;
    const finished = new Promise<void>((resolve) => {
      if (launch.over.has(runId)) return resolve();
      const waiting = launch.finished.get(runId) ?? [];
      waiting.push(resolve);
      launch.finished.set(runId, waiting);
      setTimeout(resolve, timeoutMs).unref();
    });
    launch.controller.abort(new Error('Cancelled through the API'));
    await finished;
    return true;
  }

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

  /** Nothing to release: every launch's hooks end with its sync. */
  close(): void {}

  #activeRun(
    crm: string,
    entities: readonly string[],
  ): { crm: string; entity: string; runId: string } | null {
    for (const launch of this.#launches) {
      if (launch.crm !== crm) continue;
      const overlap = entities.find((e) => launch.entities.has(e));
      if (overlap === undefined) continue;
      return { crm, entity: overlap, runId: launch.runIds.at(-1) ?? 'starting' };
    }
    return null;
  }
}

/** The store's refusal as the API's error type, in the store's one wording. */
function refusal(error: RunAlreadyRunningError): RunAlreadyActiveError {
  const { crmSource, syncType, id } = error.running;
  return new RunAlreadyActiveError(crmSource, syncType, id, error.message);
}
