import { CrmsyncError, InputError, RunAlreadyRunningError } from '../contracts/errors.js';
import type { RunEvent, RunEventListener } from '../contracts/events.js';
import type { Logger } from '../contracts/logger.js';
import type { CrmPlugin, EntityDefinition, PluginConfigValues } from '../contracts/plugin.js';
import type { ErrorKind, RunTrigger, SyncOptions, SyncRun } from '../contracts/run.js';
import type { Store } from '../contracts/store.js';
import { createLogger, silentLogger } from '../logging/logger.js';
import { defaultWorkerId } from './holder.js';
import { isCrmLevelFailure } from './classify.js';
import { dispatchRunEvent, type SyncHook } from './hooks.js';
import { orderEntities } from './order.js';
import { type StoreRetry, SyncRunExecution } from './sync-run.js';
import type { WebhookRunTargets } from './run-context.js';

export interface SyncEngineOptions {
  store: Store;
  logger?: Logger;
  /** Written on each run; default `<hostname>:<pid>`. */
  workerId?: string;
  /** A run whose heartbeat is older than this is taken for dead. Default 60 s. */
  leaseMs?: number;
  heartbeatIntervalMs?: number;
  progressIntervalMs?: number;
  /** Records per store write. Default 500. */
  writeBatchSize?: number;
  /** Backoff of store calls while the database is at fault (locked, busy, disconnected). */
  storeRetry?: StoreRetry;
  /** How often a run told to wait for another run of its entity looks again. Default 500 ms. */
  waitPollMs?: number;
  /** Hooks attached to every sync of this engine (e.g. the event bridge of a worker). */
  hooks?: SyncHook[];
}

export interface RunEntityParams {
  plugin: CrmPlugin;
  entity: string;
  config: PluginConfigValues;
  options?: SyncOptions;
  trigger?: RunTrigger;
  signal?: AbortSignal;
  /** Shorthand for a hook with only `onRunEvent`. */
  onEvent?: RunEventListener;
  /** Side effects of this sync (progress bar, job lock renewal…), besides the engine's own. */
  hooks?: SyncHook[];
  /** Reuse a client; otherwise the plugin creates (and closes) one per run. */
  client?: unknown;
  /**
   * When another live run holds the entity: wait for it to end, then run. Otherwise the run is
   * refused with a RunAlreadyRunningError (no history row written).
   */
  waitIfRunning?: boolean;
  /** Appended to the run's message if it fails. */
  failureNote?: (error: unknown, kind: ErrorKind) => string | undefined;
  /** A webhook-triggered run: the ids to re-read and to soft-delete. */
  webhook?: WebhookRunTargets;
}

export type RunAllParams = Omit<RunEntityParams, 'entity'> & { entities?: string[] };

/** One entity, or `all` in dependency order. */
export type RunParams = Omit<RunEntityParams, 'entity'> & { entity: string };

const isDay = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

/**
 * Refuses options a run cannot honour, before any history row exists. Raw CLI/API input is
 * parsed by `parseSyncOptions` (config); this guards library callers handing SyncOptions in.
 */
export function checkSyncOptions(options: SyncOptions): void {
  for (const key of ['batchSize', 'maxRecords'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw new InputError(key, 'a whole number of at least 1', value);
  }
  if (options.startDate !== undefined && !isDay(options.startDate))
    throw new InputError('startDate', 'a valid date', String(options.startDate));
  if (options.endDate !== undefined && !isDay(options.endDate))
    throw new InputError('endDate', 'a valid date', String(options.endDate));
  if (options.startDate && options.endDate && options.endDate < options.startDate)
    throw new InputError(
      'endDate',
      `a day on or after the start date ${options.startDate.toISOString().slice(0, 10)}`,
      options.endDate.toISOString().slice(0, 10),
    );
  if (options.skipValidation && options.strictValidation)
    throw new InputError('skipValidation', 'not together with strictValidation', true);
  if (
    options.pluginOptions !== undefined &&
    (options.pluginOptions === null || typeof options.pluginOptions !== 'object')
  )
    throw new InputError('pluginOptions', 'an object of the plugin options', options.pluginOptions);
}

/** The entities of a plugin for a resolved config (configured tabs, custom objects…). */
export function entitiesFor(plugin: CrmPlugin, config: PluginConfigValues): EntityDefinition[] {
  return plugin.configureEntities ? plugin.configureEntities(config) : plugin.entities;
}

/**
 * The one sync engine: the CLI, the scheduler and the API all run syncs through it.
 *
 * @example
 * const engine = new SyncEngine({ store: new MemoryStore() });
 * engine.subscribe((e) => e.type === 'run-progress' && console.log(e.counts.processed));
 * const run = await engine.runEntity({ plugin, entity: 'contacts', config, options: { full: true } });
 */
export class SyncEngine {
  readonly store: Store;
  readonly #logger: Logger;
  /** Used by `--debug` runs when no logger was given: every line, debug included. */
  readonly #debugLogger: Logger | null;
  readonly #hooks = new Set<SyncHook>();
  readonly #workerId: string;
  readonly #leaseMs: number;
  readonly #heartbeatIntervalMs: number;
  readonly #progressIntervalMs: number;
  readonly #writeBatchSize: number;
  readonly #extra: Pick<SyncEngineOptions, 'storeRetry' | 'waitPollMs'>;

  constructor(options: SyncEngineOptions) {
    this.store = options.store;
    this.#logger = options.logger ?? silentLogger();
    this.#debugLogger = options.logger ? null : createLogger('crmsync:engine', { level: 'debug' });
    this.#workerId = options.workerId ?? defaultWorkerId();
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#heartbeatIntervalMs =
      options.heartbeatIntervalMs ?? Math.min(5_000, Math.floor(this.#leaseMs / 3));
    this.#progressIntervalMs = options.progressIntervalMs ?? 1_000;
    this.#writeBatchSize = options.writeBatchSize ?? 500;
    this.#extra = {
      ...(options.storeRetry && { storeRetry: options.storeRetry }),
      ...(options.waitPollMs !== undefined && { waitPollMs: options.waitPollMs }),
    };
    for (const hook of options.hooks ?? []) this.#hooks.add(hook);
  }

  get workerId(): string {
    return this.#workerId;
  }

  /** Every run's events. Returns the function that unsubscribes. */
  subscribe(listener: RunEventListener): () => void {
    return this.use({ onRunEvent: listener });
  }

  /** Attaches a hook to every sync from now on. Returns the function that detaches it. */
  use(hook: SyncHook): () => void {
    this.#hooks.add(hook);
    return () => this.#hooks.delete(hook);
  }

  /**
   * Runs one entity, or every entity for `all`, then awaits each hook's `onSyncDone` with the
   * finished runs. The one entry point the server's sync service uses.
   */
  async run(params: RunParams): Promise<SyncRun[]> {
    const { entity, ...rest } = params;
    const runs =
      entity === 'all' ? await this.runAll(rest) : [await this.runEntity({ ...rest, entity })];
    for (const hook of [...this.#hooks, ...this.#callHooks(params)]) {
      try {
        await hook.onSyncDone?.(runs);
      } catch (error) {
        this.#logger.warn(`a sync hook threw after the sync: ${String(error)}`);
      }
    }
    return runs;
  }

  /**
   * Runs one entity and resolves with its finished history row — failed runs included. Throws,
   * before any row is written, an InputError for bad parameters and a RunAlreadyRunningError
   * when a live run of another process or entry point holds the entity.
   */
  async runEntity(params: RunEntityParams): Promise<SyncRun> {
    const entity = entitiesFor(params.plugin, params.config).find((e) => e.name === params.entity);
    if (!entity) {
      const valid = entitiesFor(params.plugin, params.config)
        .map((e) => e.name)
        .join(', ');
      throw new InputError(
        'entity',
        `one of ${params.plugin.name}'s entities: ${valid}`,
        params.entity,
      );
    }
    const options = params.options ?? {};
    checkSyncOptions(options);
    const execution = new SyncRunExecution(
      {
        store: this.store,
        logger: options.debug ? (this.#debugLogger ?? this.#logger) : this.#logger,
        workerId: this.#workerId,
        leaseMs: this.#leaseMs,
        heartbeatIntervalMs: this.#heartbeatIntervalMs,
        progressIntervalMs: this.#progressIntervalMs,
        writeBatchSize: this.#writeBatchSize,
        ...this.#extra,
        emit: (event) => this.#emit(event, this.#callHooks(params)),
      },
      {
        plugin: params.plugin,
        entity,
        config: params.config,
        options,
        trigger: params.trigger ?? 'library',
        ...(params.signal && { signal: params.signal }),
        ...(params.client !== undefined && { client: params.client }),
        ...(params.waitIfRunning && { waitIfRunning: true }),
        ...(params.failureNote && { failureNote: params.failureNote }),
        ...(params.webhook && { webhook: params.webhook }),
      },
    );
    return execution.execute();
  }

  /**
   * Runs every entity (or the named ones) in `dependsOn` order, going on after an entity's
   * failure and past an entity another run holds, but stopping at a CRM-level failure (auth
   * refused, connection refused, host unknown). When an entity was held, throws that refusal
   * at the end (the runs made are in the history).
   */
  async runAll(params: RunAllParams): Promise<SyncRun[]> {
    checkSyncOptions(params.options ?? {});
    const all = entitiesFor(params.plugin, params.config);
    let chosen = all;
    if (params.entities) {
      const unknown = params.entities.filter((n) => !all.some((e) => e.name === n));
      if (unknown.length)
        throw new InputError(
          'entity',
          `one of ${params.plugin.name}'s entities: ${all.map((e) => e.name).join(', ')}`,
          unknown.join(', '),
        );
      chosen = all.filter((e) => params.entities?.includes(e.name));
    }
    const runs: SyncRun[] = [];
    let refused: RunAlreadyRunningError | null = null;
    const ordered = orderEntities(chosen, params.plugin.name);
    for (const [index, entity] of ordered.entries()) {
      if (params.signal?.aborted) break;
      // Refused credentials or an unreachable CRM fail every entity alike: stop at the first,
      // with one failed run that says what was left, rather than one failure per entity.
      let stop = false;
      const rest = ordered.slice(index + 1).map((e) => e.name);
      const failureNote = (error: unknown, kind: ErrorKind) => {
        if (rest.length === 0 || !isCrmLevelFailure(error, kind)) return undefined;
        stop = true;
        return `sync all stopped: ${rest.length} more ${rest.length === 1 ? 'entity' : 'entities'} of ${params.plugin.name} not attempted (${rest.join(', ')})`;
      };
      try {
        runs.push(await this.runEntity({ ...params, entity: entity.name, failureNote }));
      } catch (error) {
        if (!(error instanceof RunAlreadyRunningError)) throw error;
        this.#logger.warn(error.message);
        refused ??= error;
      }
      if (stop) break;
    }
    if (refused) throw refused;
    return runs;
  }

  /**
   * Finishes runs left `running` by a process that died (heartbeat older than the lease) as
   * `failed` with "interrupted". Their checkpoints stay, so the next run resumes from them.
   */
  async reapStaleRuns(now: Date = new Date()): Promise<SyncRun[]> {
    const reaped: SyncRun[] = [];
    for (const run of await this.store.findStaleRuns(now)) {
      const last = run.heartbeatAt ?? run.startTime;
      try {
        const finished = await this.store.finishRun(run.id, {
          status: 'failed',
          counts: run.counts,
          errorMessage: `interrupted: the process running it (${run.workerId ?? 'unknown worker'}) stopped sending heartbeats at ${last.toISOString()}`,
          errorKind: 'system',
          performanceMetrics: run.performanceMetrics,
          highWaterMark: run.highWaterMark,
          checkpoint: run.checkpoint,
          endTime: now,
        });
        reaped.push(finished);
        this.#emit({ type: 'run-finished', run: finished });
      } catch (error) {
        // Another process reaped or finished it first.
        if (!(error instanceof CrmsyncError)) throw error;
      }
    }
    return reaped;
  }

  #callHooks(params: Pick<RunEntityParams, 'hooks' | 'onEvent'>): SyncHook[] {
    return [...(params.hooks ?? []), ...(params.onEvent ? [{ onRunEvent: params.onEvent }] : [])];
  }

  #emit(event: RunEvent, extra: SyncHook[] = []) {
    dispatchRunEvent([...this.#hooks, ...extra], event, (error) =>
      this.#logger.warn(`a sync hook threw: ${String(error)}`),
    );
  }
}
