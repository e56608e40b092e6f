import {
  decodeCursor,
  encodeCursor,
  type FakeApi,
  jsonBody,
  ok,
  reply,
} from '@crmsync/core/fake-api';
import { stringify } from 'csv-stringify/sync';
import { zipSync } from 'fflate';
import { USER } from './data.js';
import { fail } from './errors.js';
import type { ZohoLimits } from './limits.js';
import type { FakeZohoOrg } from './org.js';

/** Rows one bulk read job exports (`result.per_page`). */
export const BULK_PAGE = 200_000;

export interface BulkJob {
  id: string;
  module: string;
  fields: string[];
  /** Row ids of this job's page, fixed when it was created. */
  ids: string[];
  more: boolean;
  nextToken: string | null;
  page: number;
  createdAt: number;
  readyAt: number;
}

export interface BulkTiming {
  /** Time a job takes before it starts exporting, ms on the fake's clock. */
  queueMs: number;
  /** Rows a job exports per second. */
  rowsPerSecond: number;
}

const compareId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** A CSV cell as Bulk Read writes it: lookups as the id, empty for null. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object' && 'id' in (value as object))
    return String((value as { id: unknown }).id);
  if (Array.isArray(value)) return value.join(';');
  return String(value);
}

/**
 * The Bulk Read API (bulk_read.json): `POST /crm/bulk/v8/read` adds a job (201, state
 * `ADDED`), `GET /crm/bulk/v8/read/{id}` reports it (`ADDED`, `IN PROGRESS`, `COMPLETED` with
 * `result: {page, count, download_url, per_page, more_records, next_page_token}`), and
 * `GET …/{id}/result` downloads a ZIP holding one CSV. A job takes `queueMs` plus its rows at
 * `rowsPerSecond`, on the fake's clock (UNCONFIRMED: real timings vary with Zoho's load).
 * Criteria: `Modified_Time` with `greater_equal`/`greater_than`, and none.
 */
export function mountBulkRoutes(
  api: FakeApi,
  org: FakeZohoOrg,
  limits: ZohoLimits,
  timing: () => BulkTiming,
) {
  const jobs = new Map<string, BulkJob>();
  let seq = 0;
  const state = (job: BulkJob) => {
    const now = org.clock.now();
    if (now >= job.readyAt) return 'COMPLETED';
    return now >= job.createdAt + timing().queueMs ? 'IN PROGRESS' : 'ADDED';
  };

  api.post(
    '/crm/bulk/v8/read',
    // UNCONFIRMED: a bulk read job costs 50 credits (the value on Zoho's limits table of another product).
    limits.guard(
      50,
      (request) => {
        const body = jsonBody(request) as
          | {
              query?: {
                module?: { api_name?: string };
                fields?: string[];
                page?: number;
                page_token?: string;
                criteria?: {
                  field?: { api_name?: string };
                  api_name?: string;
                  comparator?: string;
                  value?: unknown;
                };
              };
            }
          | undefined;
        const q = body?.query;
        if (!q) throw fail(400, 'REQUEST_BODY_IS_EMPTY', 'The request body is empty');
        const module = org.module(q.module?.api_name ?? '');
        const known = new Set(['id', ...module.fields.map((f) => f.api_name)]);
        const fields = q.fields?.length ? q.fields : [...known];
        const unknown = fields.find((f) => !known.has(f));
        if (unknown) throw fail(400, 'INVALID_DATA', 'invalid data', { api_name: unknown });
        let since: number | undefined;
        let inclusive = true;
        if (q.criteria) {
          const name = q.criteria.field?.api_name ?? q.criteria.api_name;
          if (
            name !== 'Modified_Time' ||
            !['greater_equal', 'greater_than'].includes(q.criteria.comparator ?? '')
          )
            throw fail(
              400,
              'INVALID_CRITERIA',
              'the fake takes Modified_Time greater_equal/greater_than only',
            );
          since = Date.parse(String(q.criteria.value));
          inclusive = q.criteria.comparator === 'greater_equal';
        }
        let after: string | undefined;
        let page = q.page ?? 1;
        if (q.page_token) {
          const token = decodeCursor(q.page_token) as { after?: string; page?: number } | undefined;
          if (!token?.after)
            throw fail(400, 'INVALID_DATA', 'invalid data', { param_name: 'page_token' });
          after = token.after;
          page = token.page ?? 2;
        }
        const rows = module.records
          .all()
          .filter((r) => {
            const t = module.records.changedAt(r.id) ?? 0;
            return since === undefined || (inclusive ? t >= since : t > since);
          })
          .map((r) => r.id)
          .sort(compareId)
          .filter((id) => after === undefined || compareId(id, after) > 0);
        const ids = rows.slice(0, BULK_PAGE);
        const more = rows.length > BULK_PAGE;
        const now = org.clock.now();
        const t = timing();
        const id = String(5_725_767_000_002_000_000n + BigInt(++seq));
        jobs.set(id, {
          id,
          module: module.name,
          fields,
          ids,
          more,
          nextToken: more ? encodeCursor({ after: ids.at(-1), page: page + 1 }) : null,
          page,
          createdAt: now,
          readyAt: now + t.queueMs + Math.ceil((ids.length / t.rowsPerSecond) * 1000),
        });
        return reply(201, {
          data: [
            {
              status: 'success',
              code: 'ADDED_SUCCESSFULLY',
              message: 'Added successfully.',
              details: {
                id,
                operation: 'read',
                state: 'ADDED',
                created_by: { id: USER.id, name: USER.name },
                created_time: org.time(now),
              },
            },
          ],
          info: {},
        });
      },
      true,
    ),
  );

  const job = (id: string | undefined) => {
    const found = id === undefined ? undefined : jobs.get(id);
    if (!found)
      throw fail(404, 'RESOURCE_NOT_FOUND', 'the requested resource is not found', {
        resource: 'job_id',
      });
    return found;
  };

  api.get(
    '/crm/bulk/v8/read/:job',
    limits.guard(1, (request) => {
      const j = job(request.params.job);
      const s = state(j);
      return ok({
        data: [
          {
            id: j.id,
            operation: 'read',
            state: s,
            query: { module: { api_name: j.module }, fields: j.fields, page: j.page },
            created_by: { id: USER.id, name: USER.name },
            created_time: org.time(j.createdAt),
            file_type: 'csv',
            ...(s === 'COMPLETED' && {
              result: {
                page: j.page,
                count: j.ids.length,
                download_url: `/crm/bulk/v8/read/${j.id}/result`,
                per_page: BULK_PAGE,
                more_records: j.more,
                next_page_token: j.nextToken,
              },
            }),
          },
        ],
      });
    }),
  );

  api.get(
    '/crm/bulk/v8/read/:job/result',
    limits.guard(1, (request) => {
      const j = job(request.params.job);
      if (state(j) !== 'COMPLETED')
        throw fail(400, 'INVALID_DATA', 'the job is not completed yet', { param_name: 'job_id' });
      const module = org.module(j.module);
      const records = j.ids.map((id) => module.records.get(id)).filter((r) => r !== undefined);
      const csv = stringify([j.fields, ...records.map((r) => j.fields.map((f) => cell(r[f])))]);
      const zip = zipSync({ [`${j.id}.csv`]: new TextEncoder().encode(csv) });
      return {
        status: 200,
        body: Buffer.from(zip),
        headers: {
          'content-type': 'application/zip',
          'content-disposition': `attachment; filename=${j.id}.zip`,
        },
      };
    }),
  );
  return jobs;
}
