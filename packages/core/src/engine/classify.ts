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
