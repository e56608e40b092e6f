import { redactUrlCredentials } from '../logging/logger.js';
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
 * never contain a secret: credentials inside a URL are removed here, whoever built the message.
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
    super(redactUrlCredentials(message), options);
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

/** MySQL/MariaDB errnos of refused credentials: 1044 no access to the database, 1045 and 1698 access denied. */
export const MYSQL_AUTH_ERRNOS: ReadonlySet<number> = new Set([1044, 1045, 1698]);

const AUTH_FAILURE_CODES = new Set([
  // mysql2's names for the errnos above, and a table the user may not read.
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  // PostgreSQL SQLSTATE: invalid_password, invalid_authorization_specification.
  '28P01',
  '28000',
  // OAuth 2 token endpoints (RFC 6749 5.2, RFC 6750 3.1).
  'invalid_grant',
  'invalid_client',
  'invalid_token',
  'unauthorized_client',
  // Vendors' own: Google APIs, HubSpot, Salesforce.
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'INVALID_AUTHENTICATION',
  'EXPIRED_AUTHENTICATION',
  'INVALID_SESSION_ID',
  'INVALID_LOGIN',
]);

/** A driver's, SQLSTATE or vendor error code that means the credentials were refused. */
export function isAuthFailureCode(code: string): boolean {
  return AUTH_FAILURE_CODES.has(code);
}

/**
 * The kind of a SOAP fault, for plugins of SOAP CRMs: an authentication fault (WS-Security's
 * `FailedAuthentication`/`InvalidSecurity*`, Salesforce's `INVALID_LOGIN`, a `Client.Authentication`
 * sub-code, or a reason saying so) is `auth`; a `Server`/`Receiver` fault is `transient`; any
 * other `Client`/`Sender` fault is `data`.
 *
 * @example
 * soapFaultKind({ code: 'soapenv:Client', subcode: 'sf:INVALID_LOGIN', reason: 'Invalid username' }) // 'auth'
 */
export function soapFaultKind(fault: {
  code: string;
  subcode?: string;
  reason?: string;
}): ErrorKind {
  const local = (qname: string | undefined) => (qname ?? '').replace(/^.*:/, '');
  const codes = [fault.code, fault.subcode].map(local);
  const authCode = codes.some(
    (c) =>
      isAuthFailureCode(c) ||
      /^(FailedAuthentication|InvalidSecurity(Token)?|FailedCheck|Client\.Auth\w*|Sender\.Auth\w*)$/i.test(
        c,
      ),
  );
  if (
    authCode ||
    /\b(authenticat\w*|unauthori[sz]ed|invalid (username|password|credentials|login)|access denied)\b/i.test(
      fault.reason ?? '',
    )
  )
    return 'auth';
  return /^(Server|Receiver)/i.test(codes[0] ?? '') ? 'transient' : 'data';
}
