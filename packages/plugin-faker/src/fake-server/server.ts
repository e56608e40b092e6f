import { FakeApi, type FakeRequest, ok, reply } from '@crmsync/core/fake-api';
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
  /** The kit's API underneath: request log, fault queue, limits, clock. */
  api: FakeApi;
  mutate(entity: FakerEntity, count: number): string[];
  addRecords(entity: FakerEntity, count: number, at: Date): string[];
  corrupt(entity: FakerEntity, count: number): string[];
  setUpdatedAt(entity: FakerEntity, id: string, at: Date): void;
  injectFault(entity: FakerEntity, fault: FakerFault): void;
  requestedPageSizes(entity: FakerEntity): number[];
  requestCount(): number;
  close(): Promise<void>;
}

const error = (status: number, code: string, message: string, headers = {}) =>
  reply(status, { error: { code, message } }, headers);

function encodeCursor(key: { updated: number; id: number }): string {
  return Buffer.from(`${key.updated}:${key.id}`).toString('base64url');
}

function decodeCursor(text: string): { updated: number; id: number } | null {
  const [u, i] = Buffer.from(text, 'base64url').toString().split(':');
  const updated = Number(u);
  const id = Number(i);
  return Number.isFinite(updated) && Number.isInteger(id) ? { updated, id } : null;
}

const ENTITY_PATH = new RegExp(`^/v1/(?<entity>${FAKER_ENTITIES.join('|')})(?:/(?<id>\\d+))?$`);

/**
 * The faker CRM's HTTP API on 127.0.0.1, built on core's fake-API kit:
 * `GET /v1/{entity}?limit&after&updated_since&updated_before` with Bearer auth, cursor paging
 * sorted by (updated_at, id), a `total`, and knobs for latency, rate limits and injected
 * faults. It walks the same path a real CRM API does.
 *
 * @example
 * const api = await startFakerServer({ size: 10_000 });
 * // GET `${api.url}/v1/contacts?limit=100` with `Authorization: Bearer ${api.token}`
 */
export async function startFakerServer(options: FakerServerOptions = {}): Promise<FakerServer> {
  const dataset = new FakerDataset(options);
  const token = options.token ?? 'faker-local-token';
  const maxPage = options.maxPageSize ?? 1000;
  const perSecond = options.rateLimitPerSecond ?? 0;
  const api = new FakeApi({
    name: 'faker',
    headers: { 'content-type': 'application/json' },
    // `latency_ms` lets a client ask for a slow page (the plugin's `--latency-ms` option).
    latencyMs: (r) =>
      (options.latencyMs ?? 0) +
      Math.min(10_000, Math.max(0, Number(r.query.get('latency_ms')) || 0)),
    auth: {
      kind: 'bearer',
      token,
      reject: () =>
        error(401, 'unauthorized', 'Missing or invalid bearer token', {
          'www-authenticate': 'Bearer',
        }),
    },
    rateLimits: perSecond
      ? [
          {
            name: 'per-second',
            max: perSecond,
            windowMs: 1000,
            reject: () =>
              error(429, 'rate_limited', `More than ${perSecond} requests per second`, {
                'retry-after': '1',
              }),
          },
        ]
      : [],
    notFound: (r) => error(404, 'not_found', `No route ${r.method} ${r.path}`),
    onError: (_, e) => error(500, 'internal', String(e)),
  });
  api.get('/v1/health', () => ok({ ok: true }));
  api.get(ENTITY_PATH, (r) => serve(r, dataset, maxPage));
  const url = await api.listen({
    keepAliveTimeoutMs: 30_000,
    ...(options.port !== undefined && { port: options.port }),
    ...(options.unref !== undefined && { unref: options.unref }),
  });
  const ofEntity = (entity: FakerEntity) => (r: { path: string }) =>
    r.path === `/v1/${entity}` || r.path.startsWith(`/v1/${entity}/`);
  return {
    url,
    token,
    dataset,
    api,
    mutate: (e, n) => dataset.mutate(e, n),
    addRecords: (e, n, at) => dataset.add(e, n, at),
    corrupt: (e, n) => dataset.corrupt(e, n),
    setUpdatedAt: (e, id, at) => dataset.setUpdatedAt(e, Number(id), at),
    injectFault: (e, f) =>
      api.fault(
        f.kind === 'rate-limit'
          ? {
              ...error(429, 'rate_limited', 'Too many requests', {
                'retry-after': String(f.retryAfterSeconds),
              }),
              match: ofEntity(e),
            }
          : {
              ...error(503, 'unavailable', 'The service is temporarily unavailable'),
              times: f.count,
              match: ofEntity(e),
            },
      ),
    requestedPageSizes: (e) =>
      api.requests
        .filter((r) => r.path === `/v1/${e}` && r.status === 200)
        .map((r) => Number(r.query.get('limit') ?? '100')),
    requestCount: () => api.requests.length,
    close: () => api.close(),
  };
}

function serve(r: FakeRequest, dataset: FakerDataset, maxPage: number) {
  const entity = r.params.entity as FakerEntity;
  if (r.params.id) {
    const record = dataset.get(entity, Number(r.params.id));
    return record ? ok(record) : error(404, 'not_found', `No ${entity} ${r.params.id}`);
  }
  const limitText = r.query.get('limit') ?? '100';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1)
    return error(400, 'invalid_limit', `limit must be a positive integer, got ${limitText}`);
  const time = (name: string) => {
    const v = r.query.get(name);
    if (v === null) return { ok: true as const };
    const t = Date.parse(v);
    return Number.isNaN(t) ? { ok: false as const } : { ok: true as const, value: t };
  };
  const since = time('updated_since');
  const before = time('updated_before');
  if (!since.ok || !before.ok)
    return error(
      400,
      'invalid_date',
      'updated_since and updated_before must be ISO 8601 date-times',
    );
  const afterText = r.query.get('after');
  const after = afterText ? decodeCursor(afterText) : undefined;
  if (after === null) return error(400, 'invalid_cursor', 'after is not a cursor this API issued');
  const page = dataset.list(entity, {
    limit: Math.min(limit, maxPage),
    ...(since.value !== undefined && { updatedSince: since.value }),
    ...(before.value !== undefined && { updatedBefore: before.value }),
    ...(after && { after }),
  });
  return ok({
    results: page.records,
    total: page.total,
    ...(page.next && { paging: { next: { after: encodeCursor(page.next) } } }),
  });
}
