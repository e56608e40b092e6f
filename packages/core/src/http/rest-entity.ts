import { z } from 'zod';
import type { DeltaSpec, EntityDefinition, FetchRequest, Page } from '../contracts/plugin.js';
import { getPath } from '../mapping/path.js';
import type { HttpClient, HttpResponse, RequestOptions } from './http-client.js';
import { type PaginationSpec, type RestStreamSpec, restPages } from './rest-stream.js';

/** A plugin client restEntity can read through: the HttpClient itself or an object holding one. */
export type RestClient = HttpClient | { readonly http: HttpClient };

/**
 * How a date goes into a query parameter: `iso` (`2025-01-01T10:20:00.000Z`), `iso-seconds`
 * (RFC 3339 without milliseconds, `2025-01-01T10:20:00Z`), `epoch-ms`, `epoch-s`, `date`
 * (`2025-01-01`), or a function of your own.
 */
export type DateFormat = 'iso' | 'iso-seconds' | 'epoch-ms' | 'epoch-s' | 'date';

/** A bound's query parameter. `inclusive` says how the API compares (default: since ≥, until <). */
export type BoundParam = string | { param: string; inclusive?: boolean };

/**
 * The entity's delta (what the engine plans on) plus how the CRM filters by it: the engine's
 * `since` is inclusive and its `until` exclusive; restEntity converts both to the API's own
 * comparison and format. Rounding to a coarser format always widens the window, never narrows it.
 */
export type RestDeltaSpec =
  | { kind: 'none' }
  | (Exclude<DeltaSpec, { kind: 'none' }> & {
      since?: BoundParam;
      until?: BoundParam;
      format?: DateFormat | ((date: Date) => string);
    });

/**
 * How the CRM reports deletions: a flag on the record (`is_deleted`, `archived`: such records
 * become `deletedIds` rather than rows), a feed of deleted ids read after the records, or none
 * at all — then a full read that returns every live record detects them (`fullRead`).
 */
export type RestDeletes =
  | { flag: string; equals?: unknown; query?: RequestOptions['query'] }
  | {
      feed: {
        path: string;
        records?: string;
        /** Where the id is in each feed entry (default: the entry itself). */
        id?: string;
        pagination: PaginationSpec;
        query?: RequestOptions['query'];
        /** The feed's since parameter (same format as the entity's delta). */
        since?: BoundParam;
      };
    }
  | { fullRead: true };

export interface RestEntitySpec<Raw, Client extends RestClient = RestClient>
  extends Omit<
    EntityDefinition<Client, Raw>,
    'fetch' | 'delta' | 'primaryKey' | 'pageSize' | 'checkpoint' | 'fullReadDetectsDeletes'
  > {
  /** Default `id`. */
  primaryKey?: string;
  /** Relative to the client's base URL; a function of the client for an entity that lives elsewhere. */
  path: string | ((client: Client) => string);
  /** Dot path of the records in the body; omit when the body is the array. */
  records?: string;
  /** Dot path of the total, for progress. */
  total?: string;
  pagination: PaginationSpec;
  /** Page sizes the CRM allows: the engine asks `default` unless told, and never more than `max`. */
  pageSize: { default: number; max: number };
  /** Fixed parameters, or parameters from the request (plugin options). */
  query?: RequestOptions['query'] | ((request: FetchRequest) => RequestOptions['query']);
  /** Sends POST with this body (a search endpoint). */
  body?: Record<string, unknown>;
  limiter?: RestStreamSpec['limiter'];
  /** Sees each response (records and deletion feed) with the run's client: headers the body lacks. */
  onResponse?: (response: HttpResponse<unknown>, client: Client) => void;
  /** Default `{ kind: 'none' }`: every read is whole. */
  delta?: RestDeltaSpec;
  deletes?: RestDeletes;
  /**
   * Pins the read's bounds: called once on a fresh read (with the engine's since/until) to
   * resolve the window actually asked — clamped to a retention, an open end made now — which
   * every checkpoint then carries, so a resumed read asks the same window and its page
   * numbers still mean the same rows (CallRail's dated lists). It is sent as the API's own
   * range, and what the API answers for it is kept.
   */
  window?: (request: FetchRequest) => { since: Date; until: Date };
}

/** Where a read got to: the paginator's position, and whether it was already in the deleted-ids feed. */
export const restCheckpoint = z.strictObject({
  phase: z.literal('deletes').optional(),
  cursor: z.string().optional(),
  page: z.number().int().optional(),
  offset: z.number().int().optional(),
  url: z.string().optional(),
  /** A declared `window`, pinned at the start of the read. */
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
});
export type RestCheckpoint = z.infer<typeof restCheckpoint>;

const SECOND = 1000;
const DAY = 86_400_000;

/** The step a format can express: moving an exclusive bound by it makes it inclusive. */
function stepOf(format: DateFormat | ((date: Date) => string)): number {
  if (format === 'date') return DAY;
  return format === 'iso-seconds' || format === 'epoch-s' ? SECOND : 1;
}

/** Formats a bound, rounding outwards: a since down, an until up. */
export function formatBound(
  date: Date,
  format: DateFormat | ((date: Date) => string),
  round: 'down' | 'up',
): string {
  if (typeof format === 'function') return format(date);
  const step = stepOf(format);
  const ms =
    round === 'down'
      ? Math.floor(date.getTime() / step) * step
      : Math.ceil(date.getTime() / step) * step;
  const d = new Date(ms);
  switch (format) {
    case 'iso':
      return d.toISOString();
    case 'iso-seconds':
      return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    case 'epoch-ms':
      return String(ms);
    case 'epoch-s':
      return String(ms / SECOND);
    case 'date':
      return d.toISOString().slice(0, 10);
  }
}

const param = (b: BoundParam) => (typeof b === 'string' ? { param: b } : b);

/** The since/until query parameters of a request, in the API's comparison and format. */
export function deltaQuery(
  delta: RestDeltaSpec,
  request: Pick<FetchRequest, 'since' | 'until'>,
  sinceParam: BoundParam | undefined = delta.kind === 'none' ? undefined : delta.since,
): Record<string, string> {
  if (delta.kind === 'none') return {};
  const format = delta.format ?? 'iso';
  const step = stepOf(format);
  const query: Record<string, string> = {};
  if (sinceParam && request.since) {
    const { param: name, inclusive = true } = param(sinceParam);
    // An exclusive `>` compares one step earlier, so the engine's inclusive since stays in.
    const at = inclusive ? request.since : new Date(request.since.getTime() - step);
    query[name] = formatBound(at, format, 'down');
  }
  if (delta.until && request.until) {
    const { param: name, inclusive = false } = param(delta.until);
    const at = inclusive ? new Date(request.until.getTime() - 1) : request.until;
    query[name] = formatBound(at, format, 'up');
  }
  return query;
}

function timeOf(value: unknown): number {
  if (typeof value === 'number') return value < 1e11 ? value * SECOND : value;
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

/**
 * A REST list endpoint as an ordinary entity, from a declaration: path, record path,
 * pagination, page sizes, delta parameters and deletion signal. Resuming is built in: each
 * page carries its checkpoint, which the engine parses with `restCheckpoint` before handing it
 * back. The client the plugin creates must be an `HttpClient` or hold one as `http`.
 *
 * @example
 * restEntity<Person>({
 *   name: 'persons', path: '/persons', records: 'data',
 *   pagination: { style: 'cursor', param: 'cursor', next: 'additional_data.next_cursor', limitParam: 'limit' },
 *   pageSize: { default: 500, max: 500 },
 *   delta: { kind: 'updated-since', field: 'update_time', since: 'updated_since', until: 'updated_until', format: 'iso-seconds' },
 *   deletes: { flag: 'is_deleted' },
 *   fields: { id: { type: 'integer', required: true }, update_time: { type: 'datetime' } },
 * })
 */
export function restEntity<Raw, Client extends RestClient = RestClient>(
  spec: RestEntitySpec<Raw, Client>,
): EntityDefinition<Client, Raw, RestCheckpoint> {
  const {
    path,
    records,
    total,
    pagination,
    pageSize,
    query,
    body,
    limiter,
    onResponse,
    window,
    deletes,
    delta = { kind: 'none' },
    primaryKey = 'id',
    ...entity
  } = spec;
  const sourceOf = (field: string) => spec.fields[field]?.source ?? field;
  const idPath = sourceOf(primaryKey);
  const deltaPath = delta.kind === 'none' ? undefined : sourceOf(delta.field);
  const {
    since: _s,
    until: _u,
    format: _f,
    ...deltaSpec
  } = delta as RestDeltaSpec & {
    since?: unknown;
    until?: unknown;
    format?: unknown;
  };
  return {
    ...entity,
    primaryKey,
    delta: deltaSpec as DeltaSpec,
    pageSize,
    checkpoint: restCheckpoint,
    ...(deletes && 'fullRead' in deletes && { fullReadDetectsDeletes: true }),
    async *fetch(client, request): AsyncGenerator<Page<Raw, RestCheckpoint>> {
      const rest: RestClient = client;
      const http = 'http' in rest ? rest.http : rest;
      const observe = onResponse && {
        onResponse: (res: HttpResponse<unknown>) => onResponse(res, client),
      };
      const size = Math.max(1, Math.min(request.batchSize, pageSize.max));
      const fixed = typeof query === 'function' ? query(request) : query;
      const resume = request.checkpoint;
      const { phase: _p, since: from, until: to, ...position } = resume ?? {};
      const pinned =
        window && (from && to ? { since: new Date(from), until: new Date(to) } : window(request));
      const bounds = pinned ?? request;
      const pin = pinned && {
        since: pinned.since.toISOString(),
        until: pinned.until.toISOString(),
      };
      const carry = (checkpoint: RestCheckpoint | undefined) =>
        checkpoint && { checkpoint: { ...checkpoint, ...pin } };
      if (resume?.phase !== 'deletes') {
        const stream = restPages<Raw>(
          http,
          {
            path: typeof path === 'function' ? path(client) : path,
            pagination,
            ...(records && { records }),
            ...(total && { total }),
            ...(body && { body }),
            ...(limiter && { limiter }),
            ...observe,
            query: {
              ...fixed,
              ...(deletes && 'flag' in deletes && deletes.query),
              ...deltaQuery(delta, bounds),
            },
          },
          { pageSize: size, signal: request.signal, ...(resume && { checkpoint: position }) },
        );
        for await (const page of stream) {
          const { checkpoint, ...rest } = page as Page<Raw, RestCheckpoint>;
          // A pinned window is the API's own range, kept as it answers it (CallRail's end_date
          // includes its instant); the engine's bounds are enforced below.
          yield { ...rest, ...carry(checkpoint), ...split(page.records, pinned ? {} : request) };
        }
      }
      if (deletes && 'feed' in deletes) {
        const feed = deletes.feed;
        const stream = restPages<unknown>(
          http,
          {
            path: feed.path,
            pagination: feed.pagination,
            ...(feed.records && { records: feed.records }),
            ...observe,
            query: { ...feed.query, ...deltaQuery(delta, bounds, feed.since) },
          },
          {
            pageSize: size,
            signal: request.signal,
            ...(resume?.phase === 'deletes' && { checkpoint: position }),
          },
        );
        for await (const page of stream) {
          const ids = page.records.map((r) => String(feed.id ? getPath(r, feed.id) : r));
          yield {
            records: [],
            deletedIds: ids,
            checkpoint: { ...page.checkpoint, ...pin, phase: 'deletes' } as RestCheckpoint,
          };
        }
      }
    },
  };

  /**
   * Flagged records become deleted ids. Records changed outside [since, until) are left out:
   * the API may not have been told exactly (no until parameter, a format coarser than the
   * bound, which is rounded outwards), and a read returns what the engine asked, no more.
   */
  function split(
    list: Raw[],
    { since, until }: Pick<FetchRequest, 'since' | 'until'>,
  ): { records: Raw[]; deletedIds?: string[] } {
    const flag = deletes && 'flag' in deletes ? deletes : undefined;
    const kept: Raw[] = [];
    const deleted: string[] = [];
    for (const record of list) {
      const at = deltaPath ? timeOf(getPath(record, deltaPath)) : Number.NaN;
      if ((since && at < since.getTime()) || (until && at >= until.getTime())) continue;
      if (flag && getPath(record, flag.flag) === (flag.equals ?? true))
        deleted.push(String(getPath(record, idPath)));
      else kept.push(record);
    }
    return { records: kept, ...(deleted.length > 0 && { deletedIds: deleted }) };
  }
}
