import type { ErrorKind, RunTrigger } from './run.js';

export interface ErrorContext {
  crm?: string;
  entity?: string;
  recordId?: string;
  field?: string;
  /** What was expected, for bad input. */
  expected?: string;
  /** HTTP status or driver code, when there is one. */
  status?: number;
  code?: string;
  /** Milliseconds the CRM asked us to wait (Retry-After). */
  retryAfterMs?: number;
}

/**
 * Every error crmsync raises on purpose. `kind` lets callers act: the engine retries
 * `transient` and `rate_limit`, skips `data`, stops on `system`; the scheduler pauses a CRM
 * whose run failed with `auth`. Messages name the CRM, entity, record and field involved and
 * never contain a secret.
 */
export class CrmsyncError extends Error {
  readonly kind: ErrorKind;
  readonly context: ErrorContext;

  constructor(
    kind: ErrorKind,
    message: string,
    context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CrmsyncError';
    this.kind = kind;
    this.context = context;
  }
}

/** Bad input from a person or a config file: names the field and what was expected. */
export class InputError extends CrmsyncError {
  constructor(field: string, expected: string, received?: unknown) {
    const got = received === undefined ? '' : ` (got ${JSON.stringify(received)})`;
    super('config', `Invalid ${field}: expected ${expected}${got}`, { field, expected });
    this.name = 'InputError';
  }
}

export function isCrmsyncError(error: unknown): error is CrmsyncError {
  return error instanceof CrmsyncError;
}

/** The run that holds a (crm, entity), as a refused `beginRun` reports it. */
export interface RunningRunInfo {
  id: string;
  crmSource: string;
  syncType: string;
  trigger: RunTrigger;
  workerId: string | null;
  startTime: Date;
  heartbeatAt: Date | null;
  leaseMs: number;
}

/**
 * `beginRun` refused: another run of the same (crm, entity) is still `running`. One running
 * (non-dry) run per entity is the store's rule, whichever entry point began it.
 */
export class RunAlreadyRunningError extends CrmsyncError {
  readonly running: RunningRunInfo;

  constructor(running: RunningRunInfo) {
    super(
      'transient',
      `${running.crmSource} ${running.syncType} is already being synced by run ${running.id} (trigger ${running.trigger}, worker ${running.workerId ?? 'unknown'}, started ${running.startTime.toISOString()}); wait for it to finish or cancel it`,
      { crm: running.crmSource, entity: running.syncType },
    );
    this.name = 'RunAlreadyRunningError';
    this.running = running;
  }
}
