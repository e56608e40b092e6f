import type { Connection as CoreConnection } from 'mysql2';
import type { FieldPacket, Pool, PoolConnection } from 'mysql2/promise';

/** One page of a streamed result: the rows and the result's column descriptions. */
export interface RowPage {
  rows: Record<string, unknown>[];
  fields: FieldPacket[];
}

export interface RowStream {
  /** The next page of up to `pageSize` rows, or null at the end of the result. */
  next(): Promise<RowPage | null>;
  /** Ends the stream early: the connection, mid-result, is destroyed rather than reused. */
  close(): void;
}

/**
 * Runs one query on a pooled connection and hands its rows out `pageSize` at a time. The
 * connection is paused while a full page waits to be taken (TCP backpressure holds the
 * server), so memory stays at about a page whatever the result's size.
 */
export async function streamRows(
  pool: Pool,
  sql: string,
  params: unknown[],
  pageSize: number,
  signal: AbortSignal,
): Promise<RowStream> {
  const pooled: PoolConnection = await pool.getConnection();
  // The promise wrapper's `connection` is the callback connection underneath (its typings
  // say the promise one): only that one streams a result row by row and can pause.
  const core = pooled.connection as unknown as CoreConnection;
  let rows: Record<string, unknown>[] = [];
  let fields: FieldPacket[] = [];
  let ended = false;
  let failure: unknown;
  let closed = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const query = core.query(sql, params);
  query.on('fields', (f: FieldPacket[]) => {
    fields = f;
  });
  query.on('result', (row: Record<string, unknown>) => {
    rows.push(row);
    if (rows.length >= pageSize) {
      core.pause();
      notify();
    }
  });
  const onError = (error: unknown) => {
    failure ??= error;
    notify();
  };
  query.on('error', onError);
  // A query without a callback does not hear of its connection dying (a KILL, a network
  // drop): the connection emits that error, so it is heard there too.
  core.on('error', onError);
  query.on('end', () => {
    ended = true;
    notify();
  });
  const onAbort = () => {
    failure = signal.reason;
    notify();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  const finish = (reuse: boolean) => {
    if (closed) return;
    closed = true;
    signal.removeEventListener('abort', onAbort);
    core.off('error', onError);
    if (reuse) pooled.release();
    else pooled.destroy();
  };

  return {
    async next() {
      while (rows.length < pageSize && !ended && failure === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (failure !== undefined) {
        finish(false);
        throw failure;
      }
      if (rows.length === 0) {
        finish(true);
        return null;
      }
      const page = rows.length > pageSize ? rows.splice(0, pageSize) : rows;
      if (page === rows) rows = [];
      if (!ended) core.resume();
      return { rows: page, fields };
    },
    close() {
      finish(ended && failure === undefined);
    },
  };
}
