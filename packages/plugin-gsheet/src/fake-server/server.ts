import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  credentialOf,
  FakeApi,
  type FakeAuth,
  type FakeReply,
  type FakeRequest,
  formBody,
  type LoggedRequest,
  reply,
} from '@crmsync/core/fake-api';
import { error, QUOTA_EXCEEDED } from './errors.js';
import { DRIVE_SCOPES, type IssuedToken, SHEETS_SCOPES, tokenEndpoint } from './token.js';
import { type Cell, type FakeSpreadsheet, gridCols, gridRows, valueRange } from './values.js';

export type { Cell, FakeSpreadsheet } from './values.js';

export type SheetsFault = { kind: 'rate-limit' } | { kind: 'server-error'; count: number };

export interface SheetsFakeOptions {
  spreadsheets?: Record<string, FakeSpreadsheet>;
  /** Read requests per user per minute window (Google: 60). */
  perMinuteLimit?: number;
  minuteMs?: number;
  latencyMs?: number;
  /** Lifetime of issued access tokens (Google: 3599 s). */
  tokenTtlSeconds?: number;
}

export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

const SCOPE_ERROR = error(403, 'Request had insufficient authentication scopes.');
const canRead = (sheet: FakeSpreadsheet, token: IssuedToken) =>
  !sheet.sharedWith || sheet.sharedWith.includes(token.subject);
const RENDERS = ['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'];

let keyPair: ReturnType<typeof generateKeyPairSync> | undefined;

/**
 * Google Sheets v4 values API, Drive v3 `files.get` and the OAuth token endpoint as our
 * tests see them, built on core's fake-API kit: a service account signs an RS256 JWT and
 * trades it at `/token` (or an OAuth client trades a refresh token); `values.get` /
 * `values:batchGet` answer A1 ranges with trailing empty cells and rows dropped; quota
 * overruns (per user, per minute) are 429 RESOURCE_EXHAUSTED; errors are
 * `{error:{code,message,status}}`.
 *
 * @example
 * const fake = await SheetsFakeServer.start({ spreadsheets: { abc: { name: 'Leads', tabs: { Leads: rows }, modifiedTime: new Date() } } });
 * // GSHEET_BASE_URL=fake.url GSHEET_DRIVE_BASE_URL=fake.url GSHEET_TOKEN_URL=fake.tokenUrl
 * // GSHEET_SERVICE_ACCOUNT_JSON=JSON.stringify(fake.serviceAccount)
 */
export class SheetsFakeServer {
  readonly spreadsheets: Record<string, FakeSpreadsheet>;
  readonly serviceAccount: ServiceAccountKey;
  /** An OAuth client + refresh token the token endpoint accepts. */
  readonly oauthClient = {
    clientId: 'fake-client.apps.googleusercontent.com',
    clientSecret: randomBytes(12).toString('hex'),
    refreshToken: `1//${randomBytes(16).toString('hex')}`,
  };
  /** The kit underneath: request log, fault queue, limits, latency, clock. */
  readonly api: FakeApi;
  private readonly publicKey: string;
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly tokenTtlSeconds: number;

  private constructor(options: SheetsFakeOptions) {
    this.spreadsheets = options.spreadsheets ?? {};
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3599;
    // One key pair per process: generating RSA keys costs ~0.5 s per fake.
    keyPair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { privateKey, publicKey } = keyPair;
    this.publicKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.serviceAccount = {
      type: 'service_account',
      project_id: 'crmsync-test',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: 'crmsync-reader@crmsync-test.iam.gserviceaccount.com',
      client_id: '100000000000000000001',
      token_uri: '',
    };
    const auth: FakeAuth = {
      kind: 'bearer',
      token: (token) => (this.tokens.get(token)?.expiresAt ?? 0) > this.api.clock.now(),
      reject: () =>
        error(
          401,
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        ),
    };
    this.api = new FakeApi({
      name: 'google sheets',
      auth,
      latencyMs: options.latencyMs ?? 0,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      rateLimits: [
        {
          name: 'reads-per-minute-per-user',
          max: options.perMinuteLimit ?? 60,
          windowMs: options.minuteMs ?? 60_000,
          key: (r) => this.token(r).subject,
          reject: () => QUOTA_EXCEEDED,
        },
      ],
      notFound: () => error(404, 'Requested entity was not found.'),
      faultBody: (status) =>
        status === 429
          ? QUOTA_EXCEEDED.body
          : error(status, 'The service is currently unavailable.').body,
      onError: (_, e) => error(500, `fake failure: ${String(e)}`),
    });
    this.api
      .route('*', '/token', (r) => this.tokenEndpoint(r), { auth: false })
      .get('/drive/v3/files/:id', (r) => this.driveFile(r))
      .get(/^\/v4\/spreadsheets\/(?<id>[^/:]+)\/values:batchGet$/, (r) => this.values(r))
      .get('/v4/spreadsheets/:id/values/*range', (r) => this.values(r))
      .get('/v4/spreadsheets/:id', (r) => this.values(r));
  }

  static async start(options: SheetsFakeOptions = {}): Promise<SheetsFakeServer> {
    const fake = new SheetsFakeServer(options);
    await fake.api.listen();
    fake.serviceAccount.token_uri = fake.tokenUrl;
    return fake;
  }

  /** Root for both the Sheets (`/v4/…`) and Drive (`/drive/v3/…`) paths. */
  get url(): string {
    return this.api.url;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  /** Every answered request, in order. */
  get requests(): LoggedRequest[] {
    return this.api.requests;
  }

  injectFault(fault: SheetsFault): void {
    this.api.fault(
      fault.kind === 'rate-limit' ? { status: 429 } : { status: 503, times: fault.count },
    );
  }

  /** Replaces a tab's rows and moves the file's modifiedTime, as an edit in the browser would. */
  setRows(spreadsheetId: string, tab: string, rows: Cell[][]): void {
    this.sheet(spreadsheetId).tabs[tab] = rows;
    this.touch(spreadsheetId);
  }

  /** Edits one cell (row and column 1-based). */
  setCell(spreadsheetId: string, tab: string, row: number, col: number, value: Cell): void {
    const rows = this.sheet(spreadsheetId).tabs[tab];
    if (!rows) throw new Error(`no tab ${tab}`);
    while (rows.length < row) rows.push([]);
    const cells = rows[row - 1] as Cell[];
    while (cells.length < col) cells.push(null);
    cells[col - 1] = value;
    this.touch(spreadsheetId);
  }

  /** Removes a row (1-based); rows below move up. */
  deleteRow(spreadsheetId: string, tab: string, row: number): void {
    this.sheet(spreadsheetId).tabs[tab]?.splice(row - 1, 1);
    this.touch(spreadsheetId);
  }

  touch(spreadsheetId: string): void {
    const sheet = this.sheet(spreadsheetId);
    // Drive's modifiedTime has millisecond precision; keep it strictly increasing.
    sheet.modifiedTime = new Date(Math.max(this.api.clock.now(), sheet.modifiedTime.getTime() + 1));
  }

  /** Invalidates every issued access token (as an expiry or a revocation would). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Read requests that reached the values API (not the token or Drive endpoints). */
  valueReads(): number {
    return this.requests.filter((r) => r.path.startsWith('/v4/') && r.status === 200).length;
  }

  close(): Promise<void> {
    return this.api.close();
  }

  private sheet(id: string): FakeSpreadsheet {
    const sheet = this.spreadsheets[id];
    if (!sheet) throw new Error(`no spreadsheet ${id}`);
    return sheet;
  }

  /** The token a request that passed auth carries. */
  private token(r: FakeRequest): IssuedToken {
    const token = this.tokens.get(credentialOf(this.api.auth as FakeAuth, r) ?? '');
    if (!token) throw new Error('the fake answered a request that carries no issued token');
    return token;
  }

  private tokenEndpoint(r: FakeRequest): FakeReply {
    if (r.method !== 'POST') return error(405, 'Method not allowed');
    return tokenEndpoint(formBody(r), {
      publicKey: this.publicKey,
      clientEmail: this.serviceAccount.client_email,
      tokenUrl: this.tokenUrl,
      oauthClient: this.oauthClient,
      ttlSeconds: this.tokenTtlSeconds,
      now: this.api.clock.now(),
      issue: (token, issued) => this.tokens.set(token, issued),
    });
  }

  private scoped(r: FakeRequest, scopes: string[]): IssuedToken | undefined {
    const token = this.token(r);
    return token.scopes.some((s) => scopes.includes(s)) ? token : undefined;
  }

  private driveFile(r: FakeRequest): FakeReply {
    const token = this.scoped(r, DRIVE_SCOPES);
    if (!token) return SCOPE_ERROR;
    const id = r.params.id ?? '';
    const sheet = this.spreadsheets[id];
    if (!sheet || !canRead(sheet, token)) {
      const message = `File not found: ${id}.`;
      const where = { locationType: 'parameter', location: 'fileId' };
      return reply(404, {
        error: {
          code: 404,
          message,
          errors: [{ domain: 'global', reason: 'notFound', message, ...where }],
        },
      });
    }
    const file: Record<string, unknown> = {
      kind: 'drive#file',
      id,
      name: sheet.name,
      mimeType: 'application/vnd.google-apps.spreadsheet',
      modifiedTime: sheet.modifiedTime.toISOString(),
      lastModifyingUser: { kind: 'drive#user', displayName: 'Marketing Team' },
    };
    const fields = (r.query.get('fields') ?? 'kind,id,name,mimeType').split(',');
    const asked = fields.map((f) => f.trim()).filter((f) => f in file);
    return reply(200, Object.fromEntries(asked.map((f) => [f, file[f]])));
  }

  private values(r: FakeRequest): FakeReply {
    const token = this.scoped(r, SHEETS_SCOPES);
    if (!token) return SCOPE_ERROR;
    const sheet = this.spreadsheets[r.params.id ?? ''];
    if (!sheet) return error(404, 'Requested entity was not found.');
    if (!canRead(sheet, token)) return error(403, 'The caller does not have permission');
    const render = r.query.get('valueRenderOption') ?? 'FORMATTED_VALUE';
    if (!RENDERS.includes(render))
      return error(400, `Invalid value at 'value_render_option' (${render})`);
    const major = r.query.get('majorDimension') ?? 'ROWS';
    if (major !== 'ROWS' && major !== 'COLUMNS')
      return error(400, `Invalid value at 'major_dimension' (${major})`);
    const ranges = r.params.range !== undefined ? [r.params.range] : r.query.getAll('ranges');
    const valueRanges = [];
    for (const range of ranges) {
      const vr = valueRange(sheet, range, render, major);
      if (!vr) return error(400, `Unable to parse range: ${range}`);
      valueRanges.push(vr);
    }
    if (r.params.range !== undefined) return reply(200, valueRanges[0]);
    if (r.path.endsWith(':batchGet'))
      return reply(200, { spreadsheetId: r.params.id, valueRanges });
    return reply(200, {
      spreadsheetId: r.params.id,
      properties: { title: sheet.name },
      sheets: Object.entries(sheet.tabs).map(([title, rows], index) => ({
        properties: {
          sheetId: index,
          title,
          index,
          sheetType: 'GRID',
          gridProperties: { rowCount: gridRows(rows), columnCount: gridCols(rows) },
        },
      })),
    });
  }
}
