import { CrmsyncError } from '../contracts/errors.js';
import type { ErrorKind } from '../contracts/run.js';

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

/** The kind of any thrown value: ours carry it; network failures are transient; the rest is system. */
export function classifyError(error: unknown, signal?: AbortSignal): ErrorKind {
  if (signal?.aborted) return 'cancelled';
  if (error instanceof CrmsyncError) return error.kind;
  const e = error as { name?: string; code?: string; cause?: { code?: string } } | null;
  if (e?.name === 'AbortError') return 'cancelled';
  if (e?.name === 'TimeoutError') return 'transient';
  const code = e?.code ?? e?.cause?.code;
  if (code && TRANSIENT_CODES.has(code)) return 'transient';
  if (e?.name === 'TypeError' && String((error as Error).message).includes('fetch failed'))
    return 'transient';
  return 'system';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error && !error.message.includes(cause.message)
      ? `${error.message}: ${cause.message}`
      : error.message;
  }
  return String(error);
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
