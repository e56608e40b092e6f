import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { InputError } from '@crmsync/core';
import createDebug from 'debug';
import { z } from 'zod';
import { httpRequestAuthorized, TOKEN_COOKIE } from '../api/auth.js';
import type { ApiRuntime } from '../api/context.js';
import {
  RECORD_FILTER_OPS,
  type RecordFilter,
  RecordQuery,
  type RecordSort,
} from '../api/records-query.js';
import { scrubText } from '../api/secrets.js';
import { csvLine } from './csv.js';

const debug = createDebug('crmsync:dashboard');

// A Map: a file named `x.constructor` must not find Object's constructor as its type.
const TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.woff2', 'font/woff2'],
]);

const FILTERS = z.array(
  z.object({
    field: z.string(),
    op: z.enum(RECORD_FILTER_OPS),
    value: z.union([z.string(), z.number(), z.boolean()]).transform(String).nullish(),
  }),
);

export interface DashboardOptions {
  runtime: ApiRuntime;
  /** The built dashboard (`@crmsync/ui`'s `dashboardDir`); null serves only /auth and /export. */
  dashboardDir: string | null;
  apiToken: string | null;
  /** Rows read from the database per round trip while exporting. */
  exportPageSize?: number;
}

/**
 * Everything outside /graphql: the dashboard's static files (with the single-page fallback),
 * sign-in (`/auth/login` puts the API token in an httpOnly cookie, so no script in the page
 * ever holds it) and the streamed CSV export of an entity's records.
 */
export function createDashboardHandler(options: DashboardOptions) {
  const records = new RecordQuery(options.runtime.prisma, options.runtime.provider);
  const pageSize = options.exportPageSize ?? 1_000;

  const authorized = (req: IncomingMessage) =>
    !options.apiToken || httpRequestAuthorized(options.apiToken, (name) => headerOf(req, name));

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const run = (work: Promise<void>) =>
      work.catch((error: unknown) => {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        debug(
          'request %s failed: %s',
          url.pathname,
          scrubText(message, options.runtime.secretValues()),
        );
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal error' });
        else res.destroy();
      });

    if (url.pathname === '/auth/login' && req.method === 'POST') {
      void run(login(req, res, options.apiToken));
      return true;
    }
    if (url.pathname === '/auth/logout' && req.method === 'POST') {
      res.writeHead(204, { 'set-cookie': cookie('', 0) }).end();
      return true;
    }
    if (url.pathname === '/export/records.csv' && req.method === 'GET') {
      if (!authorized(req)) {
        sendJson(res, 401, { error: 'Unauthorized: sign in first' });
        return true;
      }
      void run(exportCsv(url, res, options.runtime, records, pageSize));
      return true;
    }
    if (options.dashboardDir && (req.method === 'GET' || req.method === 'HEAD')) {
      void run(serveStatic(options.dashboardDir, url.pathname, req, res));
      return true;
    }
    return false;
  };
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function cookie(value: string, maxAgeSeconds: number): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(value)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}`;
}

async function readBody(req: IncomingMessage, limit = 16_384): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > limit) throw new InputError('body', `at most ${limit} bytes`);
  }
  return body;
}

async function login(req: IncomingMessage, res: ServerResponse, apiToken: string | null) {
  let token: unknown;
  try {
    token = (JSON.parse(await readBody(req)) as { token?: unknown }).token;
  } catch {
    return sendJson(res, 400, { error: 'Expected a JSON body {"token": "…"}' });
  }
  if (typeof token !== 'string' || token === '') {
    return sendJson(res, 400, { error: 'Expected a JSON body {"token": "…"}' });
  }
  if (
    apiToken &&
    !httpRequestAuthorized(apiToken, (n) => (n === 'authorization' ? `Bearer ${token}` : null))
  ) {
    return sendJson(res, 401, { error: 'That token is not valid' });
  }
  res.writeHead(204, { 'set-cookie': cookie(token, 60 * 60 * 24 * 30) }).end();
}

function parseExportQuery(url: URL) {
  const crm = url.searchParams.get('crm');
  const entity = url.searchParams.get('entity');
  if (!crm) throw new InputError('crm', 'the name of an installed CRM');
  if (!entity) throw new InputError('entity', 'the name of one of the CRM’s entities');
  let filters: RecordFilter[] = [];
  const rawFilters = url.searchParams.get('filters');
  if (rawFilters) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawFilters);
    } catch {
      parsed = undefined;
    }
    const checked = FILTERS.safeParse(parsed);
    if (!checked.success) {
      throw new InputError(
        'filters',
        `a JSON array of {field, op: ${RECORD_FILTER_OPS.join('|')}, value: string}`,
        rawFilters,
      );
    }
    filters = checked.data;
  }
  let sort: RecordSort | null = null;
  const rawSort = url.searchParams.get('sort');
  if (rawSort) {
    const [field, direction = 'ASC'] = rawSort.split(':');
    if (!field || (direction !== 'ASC' && direction !== 'DESC')) {
      throw new InputError('sort', '<field>:ASC or <field>:DESC', rawSort);
    }
    sort = { field, direction };
  }
  return { crm, entity, search: url.searchParams.get('search'), filters, sort };
}

/** Streams every matching record, page by page by key, never holding the set in memory. */
async function exportCsv(
  url: URL,
  res: ServerResponse,
  runtime: ApiRuntime,
  records: RecordQuery,
  pageSize: number,
) {
  let query: ReturnType<typeof parseExportQuery>;
  try {
    query = parseExportQuery(url);
  } catch (error) {
    return sendJson(res, 400, { error: (error as Error).message });
  }
  const plugin = runtime.plugins.find((p) => p.plugin.name === query.crm);
  const entity = plugin?.entities.find((e) => e.name === query.entity);
  if (!plugin || !entity) {
    return sendJson(res, 404, { error: `No entity ${query.crm} › ${query.entity}` });
  }
  const columns = Object.keys(entity.fields);
  const base = { ...query, fields: entity.fields, first: pageSize };
  // Validate filters and sort before the first byte, so a bad request gets a 400, not half a file.
  let page: Awaited<ReturnType<RecordQuery['page']>>;
  try {
    page = await records.page(base);
  } catch (error) {
    if (error instanceof InputError) return sendJson(res, 400, { error: error.message });
    throw error;
  }
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${query.crm}-${query.entity}.csv"`,
    'cache-control': 'no-store',
  });
  await write(res, csvLine(['external_id', ...columns, 'last_synced_at', 'deleted_at']));
  for (;;) {
    for (const r of page.records) {
      const data = r.data as Record<string, unknown>;
      await write(
        res,
        csvLine([r.externalId, ...columns.map((c) => data[c]), r.lastSyncedAt, r.deletedAt]),
      );
    }
    const after = page.cursors.at(-1);
    if (!page.hasNextPage || !after || res.destroyed) break;
    page = await records.page({ ...base, after });
  }
  res.end();
}

/** Writes with backpressure: waits for 'drain' when the socket's buffer is full. */
function write(res: ServerResponse, chunk: string): Promise<void> {
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    res.once('drain', resolve);
    res.once('close', () => reject(new Error('client went away during export')));
  });
}

async function serveStatic(
  dir: string,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return sendJson(res, 400, { error: 'Bad request: malformed %-encoding in the path' });
  }
  const candidate = normalize(join(root, decoded));
  let file = candidate.startsWith(root) ? candidate : join(root, 'index.html');
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) file = join(root, 'index.html');
  const immutable = file.includes(`${sep}_app${sep}immutable${sep}`);
  res.writeHead(200, {
    'content-type': TYPES.get(extname(file)) ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}
