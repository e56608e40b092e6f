import pRetry from 'p-retry';
import { CrmsyncError } from '../contracts/errors.js';
import type { RunEvent } from '../contracts/events.js';
import type { Logger } from '../contracts/logger.js';
import type {
  Checkpoint,
  CrmPlugin,
  EntityDefinition,
  PluginConfigValues,
} from '../contracts/plugin.js';
import type {
  ErrorKind,
  EventLevel,
  RunCounts,
  RunTrigger,
  SyncOptions,
  SyncRun,
} from '../contracts/run.js';
import type { Store } from '../contracts/store.js';
import { errorMessage, isStoreFault } from './classify.js';
import type { RunPlan } from './plan.js';
import { RunTelemetry } from './run-telemetry.js';

export interface StoreRetry {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

/** About 12 s of backoff (each attempt may also wait on the database's own lock timeout). */
export const DEFAULT_STORE_RETRY: StoreRetry = {
  retries: 6,
  minTimeoutMs: 200,
  maxTimeoutMs: 5_000,
};

export interface SyncRunSettings {
  store: Store;
  logger: Logger;
  workerId: string | null;
  leaseMs: number;
  heartbeatIntervalMs: number;
  progressIntervalMs: number;
  writeBatchSize: number;
  /** Backoff of a store call while the database is at fault; default DEFAULT_STORE_RETRY. */
  storeRetry?: StoreRetry;
  /** How often a run waiting for another (`waitIfRunning`) looks again; default 500 ms. */
  waitPollMs?: number;
  emit(event: RunEvent): void;
}

export interface SyncRunInput {
  plugin: CrmPlugin;
  entity: EntityDefinition;
  config: PluginConfigValues;
  options: SyncOptions;
  trigger: RunTrigger;
  signal?: AbortSignal;
  client?: unknown;
  /** When another run holds the entity: wait for it to end rather than refuse. */
  waitIfRunning?: boolean;
  /** Appended to a failed run's message (what `sync all` did not attempt after it). */
  failureNote?: (error: unknown, kind: ErrorKind) => string | undefined;
  /** Set when webhooks triggered the run (see `WebhookRunTargets`). */
  webhook?: WebhookRunTargets;
}

/**
 * What a webhook-triggered run reads: `ids` through the entity's `fetchByIds` (without them,
 * the run is the ordinary delta), after soft-deleting `deletedIds`. A run with `ids` reads
 * only those records, so it never serves as the base of a later delta nor deletes missing rows.
 */
export interface WebhookRunTargets {
  /** Webhook events coalesced into this run. */
  events: number;
  ids?: readonly string[];
  deletedIds?: readonly string[];
}

const zeroCounts = (): RunCounts => ({
  processed: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
});

/**
 * What the rooms of one run share: its settings and input, its row and plan once begun, the
 * counts, the resume point and high-water mark, the cancel signal, and the store-call retry.
 */
export class RunContext {
  readonly s: SyncRunSettings;
  readonly in: SyncRunInput;
  readonly crm: string;
  readonly entityName: string;
  readonly counts = zeroCounts();
  readonly abort = new AbortController();
  readonly telemetry: RunTelemetry;
  run!: SyncRun;
  plan!: RunPlan;
  checkpoint: Checkpoint | null = null;
  highWater: Date | null = null;

  constructor(settings: SyncRunSettings, input: SyncRunInput) {
    this.s = settings;
    this.in = input;
    this.crm = input.plugin.name;
    this.entityName = input.entity.name;
    this.telemetry = new RunTelemetry(this);
  }

  /** A line of the run's log (stored, emitted, and logged; `quiet` lines only at debug level). */
  log(level: EventLevel, message: string, recordId: string | null = null, quiet = false) {
    this.telemetry.log(level, message, recordId, quiet);
  }

  recordFailure(recordId: string | null, message: string) {
    this.counts.failed++;
    this.log('error', message, recordId);
  }

  cancelMessage(): string {
    const reason: unknown = this.abort.signal.reason;
    const why =
      reason instanceof Error ? reason.message : reason ? String(reason) : 'stopped by request';
    return `cancelled: ${why}`;
  }

  throwIfCancelled(signal: AbortSignal | undefined = this.abort.signal) {
    if (signal?.aborted) {
      throw new CrmsyncError('cancelled', this.cancelMessage(), {
        crm: this.crm,
        entity: this.entityName,
      });
    }
  }

  /**
   * A store call, retried with backoff while the database is at fault (locked, busy, a
   * serialization failure, a dropped connection: `isStoreFault`); still failing after the
   * retries, it throws a `store` error naming the CRM, entity and database. Any other error
   * (a refused record) is thrown as it is, at once.
   */
  async storeCall<T>(
    what: string,
    call: () => Promise<T>,
    signal: AbortSignal | null = this.abort.signal,
    retry: StoreRetry = this.s.storeRetry ?? DEFAULT_STORE_RETRY,
  ): Promise<T> {
    try {
      return await pRetry(call, {
        retries: retry.retries,
        minTimeout: retry.minTimeoutMs,
        maxTimeout: retry.maxTimeoutMs,
        factor: 2,
        ...(signal && { signal }),
        shouldRetry: (error) => isStoreFault(error),
        onFailedAttempt: (error) => {
          if (isStoreFault(error) && error.retriesLeft > 0)
            this.log(
              'warn',
              `${this.crm} ${this.entityName}: the database failed ${what} (${errorMessage(error)}); retrying (attempt ${error.attemptNumber + 1} of ${retry.retries + 1})`,
            );
        },
      });
    } catch (error) {
      if (!isStoreFault(error) || signal?.aborted) throw error;
      const where = this.s.store.location ? ` (${this.s.store.location})` : '';
      throw new CrmsyncError(
        'store',
        `${this.crm} ${this.entityName}: the database${where} failed ${what} after ${retry.retries + 1} attempts: ${errorMessage(error)}`,
        { crm: this.crm, entity: this.entityName },
        { cause: error },
      );
    }
  }
}
