import { randomUUID } from 'node:crypto';
import {
  FakeApi,
  FakeHttpError,
  type FakeReply,
  type FakeRequest,
  reply,
} from '@crmsync/core/fake-api';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import Database from 'better-sqlite3';
import { type AthenaType, type SalesProTable, TABLES } from '../tables.js';

export type Cell = string | number | null;

export interface AthenaFakeOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
  database?: string;
  workGroup?: string;
  /** `GetQueryExecution` polls a query stays QUEUED then RUNNING before it finishes. */
  pollsToRun?: number;
  latencyMs?: number;
  /** Tables to leave out of the catalogue (a vault without `payments`, say). */
  without?: string[];
}

/** How the next query ends instead of running: FAILED (Athena's error) or CANCELLED. */
export type QueryOutcome =
  | { kind: 'fail'; reason: string; retryable?: boolean; category?: number }
  | { kind: 'cancel'; reason?: string };

interface Execution {
  id: string;
  sql: string;
  polls: number;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  error?: { ErrorCategory: number; ErrorType: number; Retryable: boolean; ErrorMessage: string };
  /** The temp table its results were written to (Athena's result file in S3). */
  results?: string;
  columns?: Array<{ name: string; type: AthenaType }>;
  submitted: number;
  completed?: number;
}

const SQLITE_TYPE: Record<AthenaType, string> = {
  varchar: 'TEXT',
  timestamp: 'TEXT',
  double: 'REAL',
  boolean: 'INTEGER',
  bigint: 'INTEGER',
};

const awsError = (type: string, message: string, status = 400) =>
  new FakeHttpError(status, { __type: type, Message: message }, { 'x-amzn-errortype': type });

/**
 * AWS Athena as the SalesPro plugin's tests see it: the JSON 1.1 protocol the SDK speaks
 * (`POST /` with `X-Amz-Target: AmazonAthena.<Operation>`), every request's SigV4 signature
 * recomputed with the known secret and compared, over a real SQL engine (SQLite) that holds
 * the vault's tables — so a query's WHERE and ORDER BY really apply. Queries go QUEUED →
 * RUNNING → SUCCEEDED (or FAILED with Athena's error, or CANCELLED), their results are kept
 * like Athena's result files and paged with `MaxResults` ≤ 1,000 and `NextToken`, the header
 * row first, every value a string.
 */
export class AthenaFake {
  readonly api: FakeApi;
  readonly db: Database.Database;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly database: string;
  readonly workGroup: string;
  readonly executions = new Map<string, Execution>();
  readonly tables: SalesProTable[];
  /** `MaxResults` of every `GetQueryResults`, in order. */
  readonly maxResults: number[] = [];
  /** Queries asked, as sent. */
  readonly queries: string[] = [];
  pollsToRun: number;
  endpoint = '';
  #nextOutcome: QueryOutcome[] = [];
  #signer: SignatureV4;
  #results = 0;

  private constructor(o: AthenaFakeOptions) {
    this.accessKeyId = o.accessKeyId ?? 'AKIAFAKESALESPRO0001';
    this.secretAccessKey = o.secretAccessKey ?? 'fake/salespro/secret/key/0123456789abcdefgh';
    this.region = o.region ?? 'us-east-1';
    this.database = o.database ?? 'home_genius_db';
    this.workGroup = o.workGroup ?? 'primary';
    this.pollsToRun = o.pollsToRun ?? 2;
    this.tables = TABLES.filter((t) => !(o.without ?? []).includes(t.table));
    this.#signer = new SignatureV4({
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey },
      region: this.region,
      service: 'athena',
      sha256: Hash.bind(null, 'sha256'),
    });
    this.db = new Database(':memory:');
    for (const t of this.tables) {
      const cols = Object.entries(t.columns).map(([c, type]) => `"${c}" ${SQLITE_TYPE[type]}`);
      this.db.exec(`CREATE TABLE "${t.table}" (${cols.join(', ')}, PRIMARY KEY ("${t.key}"))`);
      this.db.exec(
        `CREATE INDEX "${t.table}_${t.deltaColumn}" ON "${t.table}" ("${t.deltaColumn}", "${t.key}")`,
      );
    }
    this.api = new FakeApi({
      name: 'athena',
      latencyMs: o.latencyMs ?? 0,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      faultBody: (status) =>
        status >= 500
          ? { __type: 'InternalServerException', Message: 'Internal error' }
          : { __type: 'ThrottlingException', Message: 'Rate exceeded' },
      notFound: () => reply(404, { __type: 'UnknownOperationException' }),
    });
    this.api.post('/', (r) => this.#dispatch(r));
  }

  static async start(options: AthenaFakeOptions = {}): Promise<AthenaFake> {
    const fake = new AthenaFake(options);
    fake.endpoint = await fake.api.listen();
    return fake;
  }

  async close(): Promise<void> {
    await this.api.close();
    this.db.close();
  }

  /** Inserts rows (timestamps as `YYYY-MM-DD HH:MM:SS.mmm` UTC, booleans 0/1). */
  insert(table: string, rows: Array<Record<string, Cell>>): void {
    const t = this.#table(table);
    const cols = Object.keys(t.columns);
    const stmt = this.db.prepare(
      `INSERT OR REPLACE INTO "${t.table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
    );
    const many = this.db.transaction((list: Array<Record<string, Cell>>) => {
      for (const row of list) stmt.run(...cols.map((c) => row[c] ?? null));
    });
    many(rows);
  }

  /** The next query to finish fails (as Athena reports it) or is cancelled, instead of running. */
  nextQuery(outcome: QueryOutcome): void {
    this.#nextOutcome.push(outcome);
  }

  #table(name: string): SalesProTable {
    const t = this.tables.find((x) => x.table === name || x.name === name);
    if (!t) throw new Error(`athena fake: no table ${name}`);
    return t;
  }

  async #dispatch(r: FakeRequest): Promise<FakeReply> {
    await this.#verify(r);
    const target = String(r.headers['x-amz-target'] ?? '');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(r.body || '{}') as Record<string, unknown>;
    } catch {
      throw awsError('SerializationException', 'Request body is not JSON');
    }
    switch (target) {
      case 'AmazonAthena.StartQueryExecution':
        return this.#start(body);
      case 'AmazonAthena.GetQueryExecution':
        return this.#get(body);
      case 'AmazonAthena.GetQueryResults':
        return this.#results_(body);
      case 'AmazonAthena.StopQueryExecution': {
        const e = this.#execution(body);
        if (e.state === 'QUEUED' || e.state === 'RUNNING') {
          e.state = 'CANCELLED';
          e.reason = 'Query was cancelled by user';
        }
        return reply(200, {});
      }
      default:
        throw awsError('UnknownOperationException', `Unknown operation ${target}`);
    }
  }

  /** SigV4: the key must be ours and the signature the one our secret makes of what was sent. */
  async #verify(r: FakeRequest): Promise<void> {
    const auth = String(r.headers.authorization ?? '');
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m)
      throw awsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
    const [, keyId, , region, service, signedHeaders, signature] = m as unknown as string[];
    if (keyId !== this.accessKeyId)
      throw awsError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    const amzDate = String(r.headers['x-amz-date'] ?? '');
    const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!dm || region !== this.region || service !== 'athena')
      throw awsError(
        'InvalidSignatureException',
        'Credential should be scoped to a valid region and service.',
      );
    const signingDate = new Date(`${dm[1]}-${dm[2]}-${dm[3]}T${dm[4]}:${dm[5]}:${dm[6]}Z`);
    if (Math.abs(signingDate.getTime() - Date.now()) > 15 * 60_000)
      throw awsError(
        'InvalidSignatureException',
        'Signature expired: the request time is too far from the server time.',
      );
    const headers: Record<string, string> = {};
    for (const name of (signedHeaders ?? '').split(';')) {
      const v = r.headers[name];
      headers[name] = Array.isArray(v) ? v.join(',') : String(v ?? '');
    }
    const signed = await this.#signer.sign(
      {
        method: r.method,
        protocol: 'http:',
        hostname: r.url.hostname,
        port: Number(r.url.port) || undefined,
        path: r.url.pathname,
        query: Object.fromEntries(r.url.searchParams),
        headers,
        body: r.body,
      } as never,
      { signingDate },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(
      String((signed as unknown as { headers: Record<string, string> }).headers.authorization),
    )?.[1];
    if (expected !== signature)
      throw awsError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
  }

  #start(body: Record<string, unknown>): FakeReply {
    const sql = body.QueryString;
    const context = body.QueryExecutionContext as { Database?: string } | undefined;
    const output = (body.ResultConfiguration as { OutputLocation?: string } | undefined)
      ?.OutputLocation;
    if (typeof sql !== 'string' || sql.length === 0)
      throw awsError('InvalidRequestException', 'QueryString must not be empty');
    if (body.WorkGroup !== undefined && body.WorkGroup !== this.workGroup)
      throw awsError(
        'InvalidRequestException',
        `WorkGroup ${String(body.WorkGroup)} is not found.`,
      );
    if (!output || !/^s3:\/\/[^/]+/.test(output))
      throw awsError(
        'InvalidRequestException',
        'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
      );
    const id = randomUUID();
    this.queries.push(sql);
    const execution: Execution = { id, sql, polls: 0, state: 'QUEUED', submitted: Date.now() };
    if (context?.Database !== this.database) {
      execution.state = 'FAILED';
      execution.reason = `SCHEMA_NOT_FOUND: line 1:1: Schema '${context?.Database ?? ''}' does not exist`;
      execution.error = {
        ErrorCategory: 2,
        ErrorType: 1006,
        Retryable: false,
        ErrorMessage: execution.reason,
      };
    }
    this.executions.set(id, execution);
    return reply(200, { QueryExecutionId: id });
  }

  #execution(body: Record<string, unknown>): Execution {
    const id = body.QueryExecutionId;
    const e = typeof id === 'string' ? this.executions.get(id) : undefined;
    if (!e) throw awsError('InvalidRequestException', `QueryExecution ${String(id)} was not found`);
    return e;
  }

  #get(body: Record<string, unknown>): FakeReply {
    const e = this.#execution(body);
    if (e.state === 'QUEUED' || e.state === 'RUNNING') {
      e.polls++;
      if (e.polls >= this.pollsToRun) this.#finish(e);
      else e.state = 'RUNNING';
    }
    return reply(200, {
      QueryExecution: {
        QueryExecutionId: e.id,
        Query: e.sql,
        StatementType: 'DML',
        QueryExecutionContext: { Database: this.database },
        WorkGroup: this.workGroup,
        Status: {
          State: e.state,
          SubmissionDateTime: e.submitted / 1000,
          ...(e.completed && { CompletionDateTime: e.completed / 1000 }),
          ...(e.reason && { StateChangeReason: e.reason }),
          ...(e.error && { AthenaError: e.error }),
        },
      },
    });
  }

  /** Runs the query for real (Athena's SQL turned into SQLite's) into a results table. */
  #finish(e: Execution): void {
    e.completed = Date.now();
    const outcome = this.#nextOutcome.shift();
    if (outcome?.kind === 'cancel') {
      e.state = 'CANCELLED';
      e.reason = outcome.reason ?? 'Query was cancelled by user';
      return;
    }
    if (outcome?.kind === 'fail') {
      e.state = 'FAILED';
      e.reason = outcome.reason;
      e.error = {
        ErrorCategory: outcome.category ?? 1,
        ErrorType: outcome.category === 2 ? 1006 : 401,
        Retryable: outcome.retryable ?? false,
        ErrorMessage: outcome.reason,
      };
      return;
    }
    const sqlite = e.sql.replace(/\btimestamp\s+'([^']*)'/gi, "'$1'");
    const name = `results_${++this.#results}`;
    try {
      this.db.exec(`CREATE TEMP TABLE ${name} AS ${sqlite}`);
    } catch (error) {
      const message = (error as Error).message;
      const missing = /no such table: (\w+)/.exec(message);
      e.state = 'FAILED';
      e.reason = missing
        ? `TABLE_NOT_FOUND: line 1:1: Table 'awsdatacatalog.${this.database}.${missing[1]}' does not exist`
        : `SYNTAX_ERROR: ${message}`;
      e.error = {
        ErrorCategory: 2,
        ErrorType: missing ? 1301 : 1001,
        Retryable: false,
        ErrorMessage: e.reason,
      };
      return;
    }
    const info = this.db.prepare(`PRAGMA temp.table_info(${name})`).all() as Array<{
      name: string;
    }>;
    const types = new Map<string, AthenaType>();
    for (const t of this.tables)
      for (const [c, type] of Object.entries(t.columns)) if (!types.has(c)) types.set(c, type);
    e.columns = info.map((c) => ({ name: c.name, type: types.get(c.name) ?? 'varchar' }));
    e.results = name;
    e.state = 'SUCCEEDED';
  }

  #results_(body: Record<string, unknown>): FakeReply {
    const e = this.#execution(body);
    if (e.state !== 'SUCCEEDED' || !e.results || !e.columns)
      throw awsError(
        'InvalidRequestException',
        `Query has not yet finished. Current state: ${e.state}`,
      );
    const max = body.MaxResults === undefined ? 1000 : Number(body.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 1000)
      throw awsError(
        'InvalidRequestException',
        "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
      );
    this.maxResults.push(max);
    let after = 0;
    if (body.NextToken !== undefined) {
      const decoded = /^(\d+)$/.exec(Buffer.from(String(body.NextToken), 'base64url').toString());
      if (!decoded) throw awsError('InvalidRequestException', 'The NextToken is not valid');
      after = Number(decoded[1]);
    }
    const header = body.NextToken === undefined;
    const limit = header ? max - 1 : max;
    const rows = this.db
      .prepare(`SELECT rowid AS __row, * FROM ${e.results} WHERE rowid > ? ORDER BY rowid LIMIT ?`)
      .raw()
      .all(after, limit + 1) as Cell[][];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page.at(-1)?.[0];
    const cols = e.columns;
    const out = page.map((row) => ({
      Data: cols.map((c, i) => {
        const v = row[i + 1] ?? null;
        if (v === null) return {};
        return { VarCharValue: c.type === 'boolean' ? (v ? 'true' : 'false') : String(v) };
      }),
    }));
    if (header) out.unshift({ Data: cols.map((c) => ({ VarCharValue: c.name })) });
    return reply(200, {
      UpdateCount: 0,
      ResultSet: {
        Rows: out,
        ResultSetMetadata: {
          ColumnInfo: cols.map((c) => ({
            CatalogName: 'hive',
            SchemaName: '',
            TableName: '',
            Name: c.name,
            Label: c.name,
            Type: c.type,
            Precision: c.type === 'varchar' ? 2147483647 : c.type === 'timestamp' ? 3 : 17,
            Scale: 0,
            Nullable: 'UNKNOWN',
            CaseSensitive: c.type === 'varchar',
          })),
        },
      },
      ...(more &&
        last !== undefined && { NextToken: Buffer.from(String(last)).toString('base64url') }),
    });
  }
}

/** A Parse-style 10-character id (`TFduILj66d`), unique for `n`. */
export function parseId(prefix: string, n: number): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  let x = n;
  for (let i = 0; i < 8; i++) {
    id = (chars[x % 62] as string) + id;
    x = Math.floor(x / 62);
  }
  return `${prefix.slice(0, 2).padEnd(2, 'x')}${id}`;
}

/** An instant as the vault stores timestamps: `YYYY-MM-DD HH:MM:SS.mmm`, UTC. */
export const vaultTime = (ms: number) =>
  new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
