import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AthenaClient,
  GetQueryExecutionCommandOutput,
  GetQueryResultsCommandOutput,
} from '@aws-sdk/client-athena';
import { CrmsyncError, type ErrorKind, type Logger, type RequestMetrics } from '@crmsync/core';

export interface SalesProAthenaOptions {
  region: string;
  /** A fake or a VPC endpoint; default the region's public one. */
  endpoint?: string | undefined;
  accessKeyId: string;
  secretAccessKey: string;
  database: string;
  workGroup: string;
  outputLocation: string;
  metrics?: RequestMetrics;
  logger?: Logger;
  /** Between `GetQueryExecution` polls. */
  pollMs?: number;
  /** How long a query may stay queued or running before the read gives up. */
  queryTimeoutMs?: number;
  /** Attempts after the first for throttling and server errors. */
  retries?: number;
  /** First wait after a throttling error, doubled per attempt (Athena sends no Retry-After). */
  throttleWaitMs?: number;
}

/** Athena's answer rows, the header row already taken off the first page. */
export interface ResultPage {
  columns: Array<{ name: string; type: string }>;
  rows: Array<Array<string | null>>;
  nextToken?: string;
}

const AUTH_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'AccessDeniedException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

type AthenaSdk = typeof import('@aws-sdk/client-athena');

/**
 * The SalesPro vault's Athena: `StartQueryExecution` → poll `GetQueryExecution` → page
 * `GetQueryResults`, through the official SDK (its own retries off: this client retries
 * throttling and server errors itself, so every attempt shows in the run's metrics).
 *
 * @example
 * const athena = await SalesProAthena.connect(options);
 */
export class SalesProAthena {
  readonly sdk: AthenaClient;
  readonly #commands: AthenaSdk;
  readonly #o: SalesProAthenaOptions;

  /**
   * Imports the SDK here rather than with the plugin: `crmsync list` and syncs of other CRMs
   * load this plugin without the AWS SDK's modules.
   */
  static async connect(options: SalesProAthenaOptions): Promise<SalesProAthena> {
    return new SalesProAthena(options, await import('@aws-sdk/client-athena'));
  }

  private constructor(options: SalesProAthenaOptions, sdk: AthenaSdk) {
    this.#o = options;
    this.#commands = sdk;
    this.sdk = new sdk.AthenaClient({
      region: options.region,
      ...(options.endpoint && { endpoint: options.endpoint }),
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      maxAttempts: 1,
    });
  }

  get database(): string {
    return this.#o.database;
  }

  /** Starts `sql` and waits until Athena has run it; the execution id. */
  async run(sql: string, signal: AbortSignal): Promise<string> {
    const o = this.#o;
    const { GetQueryExecutionCommand, StartQueryExecutionCommand, StopQueryExecutionCommand } =
      this.#commands;
    const started = await this.#call(
      'StartQueryExecution',
      () =>
        this.sdk.send(
          new StartQueryExecutionCommand({
            QueryString: sql,
            QueryExecutionContext: { Database: o.database },
            ResultConfiguration: { OutputLocation: o.outputLocation },
            WorkGroup: o.workGroup,
          }),
          { abortSignal: signal },
        ),
      signal,
    );
    const id = started.QueryExecutionId;
    if (!id)
      throw new CrmsyncError('system', 'salespro: Athena started a query without an id', {
        crm: 'salespro',
      });
    const deadline = Date.now() + (o.queryTimeoutMs ?? 30 * 60_000);
    try {
      for (;;) {
        const state = await this.#call(
          'GetQueryExecution',
          () =>
            this.sdk.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), {
              abortSignal: signal,
            }),
          signal,
        );
        const done = this.#finished(id, state);
        if (done) return id;
        if (Date.now() > deadline)
          throw new CrmsyncError(
            'transient',
            `salespro: Athena query ${id} still ${state.QueryExecution?.Status?.State} after ${o.queryTimeoutMs ?? 1_800_000} ms`,
            { crm: 'salespro' },
          );
        await sleep(o.pollMs ?? 1000, undefined, { signal });
      }
    } catch (error) {
      // A run stopped or timed out while its query ran: stop the query too (it costs money).
      if (signal.aborted || (error instanceof CrmsyncError && /still/.test(error.message)))
        await this.sdk
          .send(new StopQueryExecutionCommand({ QueryExecutionId: id }))
          .catch(() => {});
      throw error;
    }
  }

  /** Whether the query has succeeded; throws for FAILED and CANCELLED. */
  #finished(id: string, out: GetQueryExecutionCommandOutput): boolean {
    const status = out.QueryExecution?.Status;
    switch (status?.State) {
      case 'SUCCEEDED':
        return true;
      case 'FAILED': {
        const e = status.AthenaError;
        const reason = status.StateChangeReason ?? 'no reason given';
        // Athena says whether a failure is worth retrying; a USER error (category 2) is the
        // query's own fault (a missing table or column: the vault differs from what we read).
        const kind: ErrorKind = e?.Retryable
          ? 'transient'
          : e?.ErrorCategory === 2
            ? 'config'
            : 'data';
        throw new CrmsyncError(kind, `salespro: Athena query ${id} FAILED: ${reason}`, {
          crm: 'salespro',
          ...(e?.ErrorType !== undefined && { code: String(e.ErrorType) }),
        });
      }
      case 'CANCELLED':
        throw new CrmsyncError(
          'transient',
          `salespro: Athena query ${id} was CANCELLED${status.StateChangeReason ? `: ${status.StateChangeReason}` : ''}`,
          { crm: 'salespro' },
        );
      default:
        return false;
    }
  }

  /** One page of a finished query's results (at most 1,000 rows, Athena's maximum). */
  async page(
    id: string,
    maxResults: number,
    nextToken: string | undefined,
    signal: AbortSignal,
  ): Promise<ResultPage> {
    const { GetQueryResultsCommand } = this.#commands;
    const out: GetQueryResultsCommandOutput = await this.#call(
      'GetQueryResults',
      () =>
        this.sdk.send(
          new GetQueryResultsCommand({
            QueryExecutionId: id,
            MaxResults: maxResults,
            ...(nextToken && { NextToken: nextToken }),
          }),
          { abortSignal: signal },
        ),
      signal,
    );
    const columns = (out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
      name: c.Name ?? '',
      type: c.Type ?? 'varchar',
    }));
    let rows = (out.ResultSet?.Rows ?? []).map((r) =>
      (r.Data ?? []).map((d) => d.VarCharValue ?? null),
    );
    // The first row of a SELECT's first page is its header: the column names again.
    if (!nextToken && rows[0] && rows[0].every((v, i) => v === columns[i]?.name))
      rows = rows.slice(1);
    return { columns, rows, ...(out.NextToken && { nextToken: out.NextToken }) };
  }

  async #call<T>(operation: string, send: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const o = this.#o;
    const retries = o.retries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        if (o.metrics) o.metrics.apiCalls++;
        return await send();
      } catch (raw) {
        if (signal.aborted) throw raw;
        const error = this.#classify(operation, raw);
        if ((error.kind !== 'transient' && error.kind !== 'rate_limit') || attempt >= retries)
          throw error;
        const base = error.kind === 'rate_limit' ? (o.throttleWaitMs ?? 1000) : 100;
        const wait = Math.min(60_000, base * 2 ** attempt);
        if (o.metrics) {
          o.metrics.retries++;
          if (error.kind === 'rate_limit') {
            o.metrics.throttled++;
            o.metrics.throttledMs += wait;
          }
        }
        o.logger?.warn(`${error.message}; retrying in ${wait} ms`, { attempt: attempt + 2 });
        await sleep(wait, undefined, { signal });
      }
    }
  }

  #classify(operation: string, raw: unknown): CrmsyncError {
    if (raw instanceof CrmsyncError) return raw;
    const e = raw as Error & {
      name?: string;
      $metadata?: { httpStatusCode?: number };
      $fault?: string;
      code?: string;
    };
    const name = e.name ?? 'Error';
    const status = e.$metadata?.httpStatusCode;
    const secrets = [this.#o.secretAccessKey];
    let message = String(e.message ?? name);
    for (const s of secrets) if (s.length >= 4) message = message.split(s).join('[redacted]');
    const text = `salespro: Athena ${operation}: ${name}${status ? ` (HTTP ${status})` : ''}: ${message}`;
    const context = { crm: 'salespro', code: name, ...(status !== undefined && { status }) };
    if (AUTH_ERRORS.has(name) || status === 401 || status === 403)
      return new CrmsyncError('auth', text, context, { cause: raw });
    if (THROTTLED.has(name) || status === 429)
      return new CrmsyncError('rate_limit', text, context, { cause: raw });
    if (e.$fault === 'server' || (status !== undefined && status >= 500) || status === undefined)
      return new CrmsyncError('transient', text, context, { cause: raw });
    return new CrmsyncError('data', text, context, { cause: raw });
  }

  close(): void {
    this.sdk.destroy();
  }
}
