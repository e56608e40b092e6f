import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DatasetOptions, FAKER_ENTITIES, FakerDataset, type FakerEntity } from './dataset.js';

export interface FakerServerOptions extends DatasetOptions {
  /** Bearer token the API requires. */
  token?: string;
  /** Added to every response, in ms. */
  latencyMs?: number;
  /** Requests per second before answering 429 with Retry-After; 0 = unlimited. */
  rateLimitPerSecond?: number;
  /** Largest page the API serves (bigger `limit`s are clamped, as vendors do). */
  maxPageSize?: number;
  port?: number;
  /** Let the process exit while the server is open (the plugin's embedded server). */
  unref?: boolean;
}

export type FakerFault =
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'server-error'; count: number };

export interface FakerServer {
  url: string;
  token: string;
  dataset: FakerDataset;
  mutate(entity: FakerEntity, count: number): string[];
  addRecords(entity: FakerEntity, count: number, at: Date): string[];
  corrupt(entity: FakerEntity, count: number): string[];
  setUpdatedAt(entity: FakerEntity, id: string, at: Date): void;
  injectFault(entity: FakerEntity, fault: FakerFault): void;
  requestedPageSizes(entity: FakerEntity): number[];
  requestCount(): number;
  close(): Promise<void>;
}

const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const error = (
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) => json(res, status, { error: { code, message } }, headers);

function encodeCursor(key: { updated: number; id: number }): string {
  return Buffer.from(`${key.updated}:${key.id}`).toString('base64url');
}

function decodeCursor(text: string): { updated: number; id: number } | null {
  const [u, i] = Buffer.from(text, 'base64url').toString().split(':');
  const updated = Number(u);
  const id = Number(i);
  return Number.isFinite(updated) && Number.isInteger(id) ? { updated, id } : null;
}

/**
 * The faker CRM's HTTP API on 127.0.0.1: `GET /v1/{entity}?limit&after&updated_since&updated_before`
 * with Bearer auth, cursor paging sorted by (updated_at, id), a `total`, and knobs for latency,
 * rate limits and injected faults. It walks the same path a real CRM API does.
 *
 * @example
 * const api = await startFakerServer({ size: 10_000 });
 * // GET `${api.url}/v1/contacts?limit=100` with `Authorization: Bearer ${api.token}`
 */
export async function startFakerServer(options: FakerServerOptions = {}): Promise<FakerServer> {
  const dataset = new FakerDataset(options);
  const token = options.token ?? 'faker-local-token';
  const maxPage = options.maxPageSize ?? 1000;
  const faults = new Map<FakerEntity, FakerFault[]>();
  const pageSizes = new Map<FakerEntity, number[]>();
  let requests = 0;
  let windowStart = 0;
  let windowCount = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // `latency_ms` lets a client ask for a slow page (the plugin's `--latency-ms` option).
    const asked = Math.min(10_000, Math.max(0, Number(url.searchParams.get('latency_ms')) || 0));
    const latency = (options.latencyMs ?? 0) + asked;
    if (latency) await new Promise((r) => setTimeout(r, latency));
    if (req.headers.authorization !== `Bearer ${token}`) {
      return error(res, 401, 'unauthorized', 'Missing or invalid bearer token', {
        'www-authenticate': 'Bearer',
      });
    }
    if (options.rateLimitPerSecond) {
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        windowCount = 0;
      }
      if (++windowCount > options.rateLimitPerSecond) {
        return error(
          res,
          429,
          'rate_limited',
          `More than ${options.rateLimitPerSecond} requests per second`,
          { 'retry-after': '1' },
        );
      }
    }
    if (url.pathname === '/v1/health') return json(res, 200, { ok: true });
    const match = /^\/v1\/([a-z]+)(?:\/(\d+))?$/.exec(url.pathname);
    const entity = match?.[1] as FakerEntity | undefined;
    if (!match || !entity || !FAKER_ENTITIES.includes(entity) || req.method !== 'GET') {
      return error(res, 404, 'not_found', `No route ${req.method} ${url.pathname}`);
    }
    const queued = faults.get(entity);
    const fault = queued?.[0];
    if (fault) {
      if (fault.kind === 'rate-limit') {
        queued.shift();
        return error(res, 429, 'rate_limited', 'Too many requests', {
          'retry-after': String(fault.retryAfterSeconds),
        });
      }
      if (--fault.count <= 0) queued.shift();
      return error(res, 503, 'unavailable', 'The service is temporarily unavailable');
    }
    if (match[2]) {
      const record = dataset.get(entity, Number(match[2]));
      return record
        ? json(res, 200, record)
        : error(res, 404, 'not_found', `No ${entity} ${match[2]}`);
    }
    const limitText = url.searchParams.get('limit') ?? '100';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1)
      return error(res, 400, 'invalid_limit', `limit must be a positive integer, got ${limitText}`);
    pageSizes.set(entity, [...(pageSizes.get(entity) ?? []), limit]);
    const time = (name: string) => {
      const v = url.searchParams.get(name);
      if (v === null) return { ok: true as const };
      const t = Date.parse(v);
      return Number.isNaN(t) ? { ok: false as const } : { ok: true as const, value: t };
    };
    const since = time('updated_since');
    const before = time('updated_before');
    if (!since.ok || !before.ok)
      return error(
        res,
        400,
        'invalid_date',
        'updated_since and updated_before must be ISO 8601 date-times',
      );
    const afterText = url.searchParams.get('after');
    const after = afterText ? decodeCursor(afterText) : undefined;
    if (after === null)
      return error(res, 400, 'invalid_cursor', 'after is not a cursor this API issued');
    const page = dataset.list(entity, {
      limit: Math.min(limit, maxPage),
      ...(since.value !== undefined && { updatedSince: since.value }),
      ...(before.value !== undefined && { updatedBefore: before.value }),
      ...(after && { after }),
    });
    json(res, 200, {
      results: page.records,
      total: page.total,
      ...(page.next && { paging: { next: { after: encodeCursor(page.next) } } }),
    });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => error(res, 500, 'internal', String(e)));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  if (options.unref) server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    dataset,
    mutate: (e, n) => dataset.mutate(e, n),
    addRecords: (e, n, at) => dataset.add(e, n, at),
    corrupt: (e, n) => dataset.corrupt(e, n),
    setUpdatedAt: (e, id, at) => dataset.setUpdatedAt(e, Number(id), at),
    injectFault: (e, f) => faults.set(e, [...(faults.get(e) ?? []), { ...f }]),
    requestedPageSizes: (e) => [...(pageSizes.get(e) ?? [])],
    requestCount: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
