import { CrmsyncError, isAuthFailureCode, MYSQL_AUTH_ERRNOS } from '../contracts/errors.js';
import type { ErrorKind } from '../contracts/run.js';
import { redactUrlCredentials } from '../logging/logger.js';

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'PROTOCOL_CONNECTION_LOST',
]);

/** Failures that say the CRM as a whole cannot be reached: no entity of it will fare better. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface DriverError {
  name?: string;
  code?: unknown;
  errno?: unknown;
  context?: { code?: unknown };
  cause?: unknown;
}

/** Every `code` an error and its causes carry (system, driver, SQLSTATE, vendor codes). */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let e = error as DriverError | null | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    for (const code of [e.code, e.context?.code]) if (typeof code === 'string') codes.push(code);
    if (typeof e.errno === 'number' && MYSQL_AUTH_ERRNOS.has(e.errno)) codes.push('mysql-auth');
    e = e.cause as DriverError | undefined;
  }
  return codes;
}

/**
 * A database or service refused the credentials: MySQL/MariaDB "Access denied" (1045, 1044,
 * 1698), PostgreSQL SQLSTATE 28P01/28000, or a vendor's auth code (see `isAuthFailureCode`).
 */
export function isAuthFailure(error: unknown): boolean {
  if (error instanceof CrmsyncError && error.kind === 'auth') return true;
  return codesOf(error).some((c) => c === 'mysql-auth' || isAuthFailureCode(c));
}

/**
 * A failure of the CRM as a whole rather than of one entity: credentials refused, the
 * connection refused, the host not found. `sync all` stops at the first one.
 */
export function isCrmLevelFailure(error: unknown, kind: ErrorKind): boolean {
  if (kind === 'auth') return true;
  if (kind !== 'transient' && kind !== 'system') return false;
  return codesOf(error).some((c) => UNREACHABLE_CODES.has(c));
}

/**
 * The kind of any thrown value: ours carry it; refused credentials are auth; network
 * failures are transient; the rest is system.
 */
export function classifyError(error: unknown, signal?: AbortSignal): ErrorKind {
  if (signal?.aborted) return 'cancelled';
  if (error instanceof CrmsyncError) return error.kind;
  if (isAuthFailure(error)) return 'auth';
  const e = error as { name?: string; code?: string; cause?: { code?: string } } | null;
  if (e?.name === 'AbortError') return 'cancelled';
  if (e?.name === 'TimeoutError') return 'transient';
  const code = e?.code ?? e?.cause?.code;
  if (code && TRANSIENT_CODES.has(code)) return 'transient';
  if (e?.name === 'TypeError' && String((error as Error).message).includes('fetch failed'))
    return 'transient';
  return 'system';
}

/**
 * An error as one line for history, logs and the API. Credentials inside URLs are removed:
 * drivers and HTTP libraries echo the URL they were given, password included.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return redactUrlCredentials(
      cause instanceof Error && !error.message.includes(cause.message)
        ? `${error.message}: ${cause.message}`
        : error.message,
    );
  }
  return redactUrlCredentials(String(error));
}

/** PostgreSQL SQLSTATEs of a store that is busy, restarting or unreachable, not of a bad row. */
const STORE_SQLSTATE = /^(08...|40001|40P01|53300|55P03|57P0[1-3]|57014)$/;
const STORE_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);
/** What node-postgres throws, without a code, when the server closed the connection. */
const STORE_MESSAGES =
  /Connection terminated|connection error and is not queryable|Client was closed|Cannot use a pool after calling end|timeout exceeded when trying to connect/i;

/**
 * Whether an error thrown by a store call is a fault of the database (locked, busy, a
 * serialization failure, a dropped or refused connection) rather than of the records written:
 * such a write is retried, and never counts its records as failed.
 */
export function isStoreFault(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return true;
      if (code === 'SQLITE_IOERR' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_FULL')
        return true;
      if (STORE_SQLSTATE.test(code) || STORE_NODE_CODES.has(code)) return true;
    }
    if (typeof message === 'string' && STORE_MESSAGES.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
