import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { columnLetters, parseA1, quoteSheet } from '../a1.js';

/** A cell as the sheet holds it: a plain value, or a value with its display text / formula. */
export type Cell =
  | string
  | number
  | boolean
  | null
  | { value: string | number | boolean; formatted?: string; formula?: string };

export interface FakeSpreadsheet {
  name: string;
  /** Tab title → rows of cells (row 1 first). */
  tabs: Record<string, Cell[][]>;
  modifiedTime: Date;
  /** Service-account emails allowed to read it; default: every one. */
  sharedWith?: string[];
}

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

interface IssuedToken {
  subject: string;
  scopes: string[];
  expiresAt: number;
}

const SHEETS_SCOPES = [
  'https://www.googleapis.com/auth/spreadsheets.readonly',
  'https://www.googleapis.com/auth/spreadsheets',
  'https://www.googleapis.com/auth/drive.readonly',
  'https://www.googleapis.com/auth/drive',
];
const DRIVE_SCOPES = [
  'https://www.googleapis.com/auth/drive.metadata.readonly',
  'https://www.googleapis.com/auth/drive.readonly',
  'https://www.googleapis.com/auth/drive',
];
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/**
 * Google Sheets v4 values API, Drive v3 `files.get` and the OAuth token endpoint as our
 * tests see them: a service account signs an RS256 JWT and trades it at `/token` (or an
 * OAuth client trades a refresh token); `values.get` / `values:batchGet` answer A1 ranges
 * with trailing empty cells and rows dropped; quota overruns are 429 RESOURCE_EXHAUSTED;
 * errors are `{error:{code,message,status}}`.
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
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  latencyMs: number;
  private readonly publicKey: string;
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly reads = new Map<string, number[]>();
  private readonly faults: SheetsFault[] = [];
  private readonly options: { perMinuteLimit: number; minuteMs: number; tokenTtlSeconds: number };
  private readonly server: Server;
  private port = 0;

  private constructor(options: SheetsFakeOptions) {
    this.spreadsheets = options.spreadsheets ?? {};
    this.latencyMs = options.latencyMs ?? 0;
    this.options = {
      perMinuteLimit: options.perMinuteLimit ?? 60,
      minuteMs: options.minuteMs ?? 60_000,
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3599,
    };
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
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) =>
        this.error(res, 500, `fake failure: ${String(error)}`),
      );
    });
  }

  static async start(options: SheetsFakeOptions = {}): Promise<SheetsFakeServer> {
    const fake = new SheetsFakeServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    fake.serviceAccount.token_uri = fake.tokenUrl;
    return fake;
  }

  /** Root for both the Sheets (`/v4/…`) and Drive (`/drive/v3/…`) paths. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  injectFault(fault: SheetsFault): void {
    this.faults.push(fault);
  }

  /** Replaces a tab's rows and moves the file's modifiedTime, as an edit in the browser would. */
  setRows(spreadsheetId: string, tab: string, rows: Cell[][]): void {
    const sheet = this.sheet(spreadsheetId);
    sheet.tabs[tab] = rows;
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
    sheet.modifiedTime = new Date(Math.max(Date.now(), sheet.modifiedTime.getTime() + 1));
  }

  /** Invalidates every issued access token (as an expiry or a revocation would). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Read requests that reached the values API (not the token or Drive endpoints). */
  valueReads(): number {
    return this.requests.filter((r) => r.path.startsWith('/v4/') && r.status === 200).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sheet(id: string): FakeSpreadsheet {
    const sheet = this.spreadsheets[id];
    if (!sheet) throw new Error(`no spreadsheet ${id}`);
    return sheet;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const status = await this.route(req, url, res);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, status });
  }

  private async route(req: IncomingMessage, url: URL, res: ServerResponse): Promise<number> {
    if (url.pathname === '/token') {
      if (req.method !== 'POST') return this.error(res, 405, 'Method not allowed');
      return this.token(res, new URLSearchParams(await readBody(req)));
    }
    const token = this.tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (
      !req.headers.authorization?.startsWith('Bearer ') ||
      !token ||
      token.expiresAt <= Date.now()
    ) {
      return this.error(
        res,
        401,
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    const fault = this.faults[0];
    if (fault) {
      if (fault.kind === 'rate-limit' || --fault.count <= 0) this.faults.shift();
      if (fault.kind === 'rate-limit') return this.quotaError(res);
      return this.error(res, 503, 'The service is currently unavailable.');
    }
    if (!this.takeRead(token.subject)) return this.quotaError(res);

    const drive = /^\/drive\/v3\/files\/([^/]+)$/.exec(url.pathname);
    if (drive) {
      if (!token.scopes.some((s) => DRIVE_SCOPES.includes(s))) return this.scopeError(res);
      const id = decodeURIComponent(drive[1] as string);
      const sheet = this.spreadsheets[id];
      if (!sheet || !this.canRead(sheet, token)) {
        return this.send(res, 404, {
          error: {
            code: 404,
            message: `File not found: ${id}.`,
            errors: [
              {
                domain: 'global',
                reason: 'notFound',
                message: `File not found: ${id}.`,
                locationType: 'parameter',
                location: 'fileId',
              },
            ],
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
      const fields = (url.searchParams.get('fields') ?? 'kind,id,name,mimeType')
        .split(',')
        .map((f) => f.trim());
      return this.send(
        res,
        200,
        Object.fromEntries(fields.filter((f) => f in file).map((f) => [f, file[f]])),
      );
    }

    const m = /^\/v4\/spreadsheets\/([^/:]+)(?:\/values\/(.+)|\/values:batchGet|)$/.exec(
      url.pathname,
    );
    if (!m) return this.error(res, 404, 'Requested entity was not found.');
    if (!token.scopes.some((s) => SHEETS_SCOPES.includes(s))) return this.scopeError(res);
    const id = decodeURIComponent(m[1] as string);
    const sheet = this.spreadsheets[id];
    if (!sheet) return this.error(res, 404, 'Requested entity was not found.');
    if (!this.canRead(sheet, token))
      return this.error(res, 403, 'The caller does not have permission');
    const q = url.searchParams;
    const render = q.get('valueRenderOption') ?? 'FORMATTED_VALUE';
    if (!['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'].includes(render)) {
      return this.error(res, 400, `Invalid value at 'value_render_option' (${render})`);
    }
    const major = q.get('majorDimension') ?? 'ROWS';
    if (major !== 'ROWS' && major !== 'COLUMNS')
      return this.error(res, 400, `Invalid value at 'major_dimension' (${major})`);
    if (m[2] !== undefined) {
      const range = decodeURIComponent(m[2]);
      const valueRange = this.valueRange(sheet, range, render, major);
      if (!valueRange) return this.error(res, 400, `Unable to parse range: ${range}`);
      return this.send(res, 200, valueRange);
    }
    if (url.pathname.endsWith(':batchGet')) {
      const valueRanges = [];
      for (const range of q.getAll('ranges')) {
        const vr = this.valueRange(sheet, range, render, major);
        if (!vr) return this.error(res, 400, `Unable to parse range: ${range}`);
        valueRanges.push(vr);
      }
      return this.send(res, 200, { spreadsheetId: id, valueRanges });
    }
    return this.send(res, 200, {
      spreadsheetId: id,
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

  private valueRange(sheet: FakeSpreadsheet, range: string, render: string, major: string) {
    const tabs = Object.keys(sheet.tabs);
    const a1 = parseA1(range, tabs);
    if (!a1) return null;
    const rows = sheet.tabs[a1.sheet] ?? [];
    const r0 = a1.startRow ?? 1;
    const r1 = a1.endRow ?? gridRows(rows);
    const c0 = a1.startCol ?? 1;
    const c1 = a1.endCol ?? gridCols(rows);
    let values: unknown[][] = [];
    for (let r = r0; r <= Math.min(r1, rows.length); r++) {
      const row = rows[r - 1] ?? [];
      const out: unknown[] = [];
      for (let c = c0; c <= Math.min(c1, row.length); c++)
        out.push(renderCell(row[c - 1] ?? null, render));
      while (out.length > 0 && (out[out.length - 1] === '' || out[out.length - 1] === undefined))
        out.pop();
      values.push(out);
    }
    while (values.length > 0 && (values[values.length - 1] as unknown[]).length === 0) values.pop();
    if (major === 'COLUMNS') values = transpose(values);
    const body: Record<string, unknown> = {
      range: `${quoteSheet(a1.sheet)}!${columnLetters(c0)}${r0}:${columnLetters(c1)}${r1}`,
      majorDimension: major,
    };
    // Google leaves `values` out entirely when the range holds nothing.
    if (values.length > 0) body.values = values;
    return body;
  }

  private token(res: ServerResponse, form: URLSearchParams): number {
    const grant = form.get('grant_type');
    let subject: string;
    let scopes: string[];
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const claims = this.verifyJwt(form.get('assertion') ?? '');
      if (typeof claims === 'string') {
        return this.send(res, 400, { error: 'invalid_grant', error_description: claims });
      }
      subject = String(claims.sub ?? claims.iss);
      scopes = String(claims.scope ?? '')
        .split(' ')
        .filter(Boolean);
      if (scopes.length === 0)
        return this.send(res, 400, {
          error: 'invalid_scope',
          error_description: 'Invalid OAuth scope or ID token audience provided.',
        });
    } else if (grant === 'refresh_token') {
      const c = this.oauthClient;
      if (form.get('client_id') !== c.clientId || form.get('client_secret') !== c.clientSecret) {
        return this.send(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' });
      }
      if (form.get('refresh_token') !== c.refreshToken) {
        return this.send(res, 400, {
          error: 'invalid_grant',
          error_description: 'Token has been expired or revoked.',
        });
      }
      subject = 'oauth-user@example.com';
      scopes = [SHEETS_SCOPES[0] as string, DRIVE_SCOPES[0] as string];
    } else {
      return this.send(res, 400, {
        error: 'unsupported_grant_type',
        error_description: `Invalid grant_type: ${grant}`,
      });
    }
    const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(accessToken, {
      subject,
      scopes,
      expiresAt: Date.now() + this.options.tokenTtlSeconds * 1000,
    });
    return this.send(res, 200, {
      access_token: accessToken,
      expires_in: this.options.tokenTtlSeconds,
      token_type: 'Bearer',
      ...(grant === 'refresh_token' ? { scope: scopes.join(' ') } : {}),
    });
  }

  /** Checks an RS256 service-account assertion; returns its claims or why it is refused. */
  private verifyJwt(jwt: string): Record<string, unknown> | string {
    const [h, p, s] = jwt.split('.');
    if (!h || !p || !s) return 'Invalid JWT: malformed assertion.';
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString());
      claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    } catch {
      return 'Invalid JWT: malformed assertion.';
    }
    if (header.alg !== 'RS256') return 'Invalid JWT: only RS256 is accepted.';
    if (
      !createVerify('RSA-SHA256')
        .update(`${h}.${p}`)
        .verify(this.publicKey, Buffer.from(s, 'base64url'))
    ) {
      return 'Invalid JWT Signature.';
    }
    if (claims.iss !== this.serviceAccount.client_email)
      return 'Invalid issuer: unknown service account.';
    if (claims.aud !== this.tokenUrl) return 'Invalid JWT: audience must be the token URL.';
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp - iat > 3600 || iat > now + 300) {
      return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.';
    }
    if (exp < now)
      return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.';
    return claims;
  }

  private canRead(sheet: FakeSpreadsheet, token: IssuedToken): boolean {
    return !sheet.sharedWith || sheet.sharedWith.includes(token.subject);
  }

  private takeRead(subject: string): boolean {
    const now = Date.now();
    const log = (this.reads.get(subject) ?? []).filter((t) => t > now - this.options.minuteMs);
    if (log.length >= this.options.perMinuteLimit) {
      this.reads.set(subject, log);
      return false;
    }
    log.push(now);
    this.reads.set(subject, log);
    return true;
  }

  private quotaError(res: ServerResponse): number {
    return this.send(res, 429, {
      error: {
        code: 429,
        message:
          "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:100000000001'.",
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
          },
        ],
      },
    });
  }

  private scopeError(res: ServerResponse): number {
    return this.error(res, 403, 'Request had insufficient authentication scopes.');
  }

  private error(res: ServerResponse, code: number, message: string): number {
    return this.send(res, code, {
      error: { code, message, status: STATUS_NAMES[code] ?? 'UNKNOWN' },
    });
  }

  private send(res: ServerResponse, status: number, body: unknown): number {
    if (res.headersSent) return status;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
    return status;
  }
}

let keyPair: ReturnType<typeof generateKeyPairSync> | undefined;

function renderCell(cell: Cell, render: string): unknown {
  if (cell === null || cell === undefined) return '';
  if (typeof cell !== 'object') {
    if (render === 'FORMATTED_VALUE')
      return typeof cell === 'boolean' ? (cell ? 'TRUE' : 'FALSE') : String(cell);
    return cell;
  }
  if (render === 'FORMULA' && cell.formula) return cell.formula;
  if (render === 'FORMATTED_VALUE') {
    if (cell.formatted !== undefined) return cell.formatted;
    return typeof cell.value === 'boolean' ? (cell.value ? 'TRUE' : 'FALSE') : String(cell.value);
  }
  return cell.value;
}

function gridRows(rows: Cell[][]): number {
  return Math.max(1000, rows.length);
}

function gridCols(rows: Cell[][]): number {
  return Math.max(26, ...rows.map((r) => r.length));
}

function transpose(rows: unknown[][]): unknown[][] {
  const width = Math.max(0, ...rows.map((r) => r.length));
  const cols: unknown[][] = [];
  for (let c = 0; c < width; c++) {
    const col = rows.map((r) => r[c] ?? '');
    while (col.length > 0 && col[col.length - 1] === '') col.pop();
    cols.push(col);
  }
  return cols;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}
