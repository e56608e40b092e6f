import { CrmsyncError } from '@crmsync/core';
import type { ZohoClient, ZohoRecord } from './client.js';
import { isListable, valueProblem, type ZohoField } from './fields.js';
import { MAX_LIST_FIELDS } from './entities/module.js';

/** Records one `PUT /crm/v8/{Module}` carries at most. */
export const ZOHO_WRITE_BATCH = 100;
/** Ids one `GET /crm/v8/{Module}?ids=` reads at most. */
export const ZOHO_READ_BATCH = 100;

/** One record to write: its Zoho id and the changed fields, by API name. */
export type ZohoUpdate = { id: string } & Record<string, unknown>;

/** What became of one record of a write, in the order they were given. */
export type ZohoWriteResult =
  | { id: string; status: 'success'; modifiedTime?: string }
  | {
      id: string;
      status: 'rejected';
      /** Zoho's code (`INVALID_DATA`, `MANDATORY_NOT_FOUND`), or `LOCAL_VALIDATION`. */
      code: string;
      message: string;
      /** The field Zoho (or our check) names, `details.api_name`. */
      apiName?: string;
      details?: Record<string, unknown>;
    };

interface ZohoRecordResult {
  code?: string;
  status?: string;
  message?: string;
  details?: Record<string, unknown>;
}

const byApiName = (fields: readonly ZohoField[]) => new Map(fields.map((f) => [f.api_name, f]));

/**
 * Checks `values` against the module's field metadata before anything is sent: unknown
 * fields, read-only ones, types, picklist values and lengths. Returns the problems, each
 * naming the field and what it expects.
 */
export function validateValues(
  module: string,
  fields: readonly ZohoField[],
  values: Record<string, unknown>,
): Array<{ field: string; message: string }> {
  return problemsOf(module, byApiName(fields), values);
}

/** `validateValues` with the fields by API name: a write of 100 records looks them up once. */
function problemsOf(
  module: string,
  byName: ReadonlyMap<string, ZohoField>,
  values: Record<string, unknown>,
): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  for (const [name, value] of Object.entries(values)) {
    if (name === 'id') continue;
    const field = byName.get(name);
    const why = field ? valueProblem(field, value) : `is not a field of ${module}`;
    if (why) problems.push({ field: name, message: `zoho ${module}: field '${name}' ${why}` });
  }
  return problems;
}

/**
 * The write side of Zoho for the two-way sync: up to 100 records a `PUT /crm/v8/{Module}`,
 * one result per record (a record Zoho refuses, such as `INVALID_DATA` on one field, does not
 * stop the others), values checked against the fields metadata first, and reads by ids.
 *
 * @example
 * const writer = new ZohoWriter(client);
 * const results = await writer.update('Deals', [{ id, Stage: 'Closed Won' }], { signal });
 */
export class ZohoWriter {
  constructor(readonly client: ZohoClient) {}

  /** The module's field metadata (read once per client). */
  fields(module: string, signal: AbortSignal = new AbortController().signal) {
    return this.client.fields(module, signal);
  }

  /**
   * Throws a `data` error naming the field and what it expects when a value does not fit;
   * for callers that refuse bad input outright (a CLI's `Field=value`).
   */
  async assertValid(module: string, values: Record<string, unknown>, signal?: AbortSignal) {
    const problems = validateValues(module, await this.fields(module, signal), values);
    const first = problems[0];
    if (first)
      throw new CrmsyncError('data', problems.map((p) => p.message).join('; '), {
        crm: 'zoho',
        field: first.field,
      });
  }

  /**
   * Writes the records, ≤ 100 per call, and returns a result per record in the given order.
   * Records whose values fail the local check are not sent; they come back `rejected` with
   * code `LOCAL_VALIDATION`. A call the API refuses as a whole (auth, limits) throws.
   */
  async update(
    module: string,
    records: readonly ZohoUpdate[],
    options: { signal?: AbortSignal; trigger?: string[] } = {},
  ): Promise<ZohoWriteResult[]> {
    const signal = options.signal ?? new AbortController().signal;
    const fields = byApiName(await this.fields(module, signal));
    const results: ZohoWriteResult[] = new Array(records.length);
    const send: Array<{ index: number; record: ZohoUpdate }> = [];
    records.forEach((record, index) => {
      if (typeof record.id !== 'string' || !/^\d+$/.test(record.id)) {
        results[index] = {
          id: String(record.id),
          status: 'rejected',
          code: 'LOCAL_VALIDATION',
          message: `zoho ${module}: field 'id' expects a Zoho record id (digits)`,
          apiName: 'id',
        };
        return;
      }
      const problem = problemsOf(module, fields, record)[0];
      if (problem)
        results[index] = {
          id: record.id,
          status: 'rejected',
          code: 'LOCAL_VALIDATION',
          message: problem.message,
          apiName: problem.field,
        };
      else send.push({ index, record });
    });
    const http = await this.client.http(signal);
    for (let at = 0; at < send.length; at += ZOHO_WRITE_BATCH) {
      const batch = send.slice(at, at + ZOHO_WRITE_BATCH);
      const res = await http.request<{ data?: ZohoRecordResult[] }>(`/${module}`, {
        method: 'PUT',
        body: {
          data: batch.map((b) => b.record),
          // Workflows, approvals and blueprints run on a write unless told (an empty list).
          trigger: options.trigger ?? [],
        },
        signal,
      });
      const answers = res.body?.data ?? [];
      if (answers.length !== batch.length)
        throw new CrmsyncError(
          'transient',
          `zoho ${module}: the update answered ${answers.length} results for ${batch.length} records`,
          { crm: 'zoho' },
        );
      batch.forEach((b, i) => {
        results[b.index] = toResult(b.record.id, answers[i] ?? {});
      });
    }
    return results;
  }

  /**
   * Reads records by id (`GET /{Module}?ids=`, ≤ 100 a call) with every listable field, for
   * the three-way merge's re-read. Ids Zoho does not have are absent from the result.
   */
  async fetchByIds(
    module: string,
    ids: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<ZohoRecord[]> {
    const signal = options.signal ?? new AbortController().signal;
    const meta = await this.fields(module, signal);
    const fields = meta
      .filter(isListable)
      .map((f) => f.api_name)
      .slice(0, MAX_LIST_FIELDS);
    const out: ZohoRecord[] = [];
    const http = await this.client.http(signal);
    for (let at = 0; at < ids.length; at += ZOHO_READ_BATCH) {
      const chunk = ids.slice(at, at + ZOHO_READ_BATCH);
      const res = await http.get<{ data?: ZohoRecord[] } | string>(`/${module}`, {
        query: { ids: chunk.join(','), fields: fields.join(',') },
        signal,
      });
      if (res.status === 204 || typeof res.body !== 'object') continue;
      out.push(...(res.body.data ?? []));
    }
    return out;
  }

  /** One record with all its fields (`GET /{Module}/{id}`), undefined when Zoho has none. */
  async fetchOne(module: string, id: string, options: { signal?: AbortSignal } = {}) {
    const signal = options.signal ?? new AbortController().signal;
    const http = await this.client.http(signal);
    const res = await http.get<{ data?: ZohoRecord[] } | string>(
      `/${module}/${encodeURIComponent(id)}`,
      { signal },
    );
    return res.status === 204 || typeof res.body !== 'object' ? undefined : res.body.data?.[0];
  }

  /**
   * Schedules a mass update of `ids` (`POST /{Module}/actions/mass_update`) setting `values`;
   * resolves with the job id. Values are checked first, as for `update`.
   */
  async massUpdate(
    module: string,
    ids: readonly string[],
    values: Record<string, unknown>,
    options: { signal?: AbortSignal } = {},
  ): Promise<string> {
    const signal = options.signal ?? new AbortController().signal;
    await this.assertValid(module, values, signal);
    const http = await this.client.http(signal);
    const res = await http.post<{ data?: ZohoRecordResult[] }>(
      `/${module}/actions/mass_update`,
      { data: [values], ids, over_write: true },
      { signal },
    );
    const jobId = res.body?.data?.[0]?.details?.job_id;
    if (typeof jobId !== 'string')
      throw new CrmsyncError('data', `zoho ${module}: the mass update answered no job_id`, {
        crm: 'zoho',
      });
    return jobId;
  }

  /** A mass update's progress (`GET /{Module}/actions/mass_update?job_id=`). */
  async massUpdateStatus(module: string, jobId: string, options: { signal?: AbortSignal } = {}) {
    const signal = options.signal ?? new AbortController().signal;
    const http = await this.client.http(signal);
    const res = await http.get<{
      data?: Array<{
        Status: 'COMPLETED' | 'FAILED' | 'RUNNING' | 'SCHEDULED';
        Failed_Count?: number;
        Updated_Count?: number;
        Not_Updated_Count?: number;
        Total_Count?: number;
      }>;
    }>(`/${module}/actions/mass_update`, { query: { job_id: jobId }, signal });
    const job = res.body?.data?.[0];
    if (!job)
      throw new CrmsyncError('data', `zoho ${module}: no status for mass update ${jobId}`, {
        crm: 'zoho',
      });
    return {
      status: job.Status,
      updated: job.Updated_Count ?? 0,
      failed: job.Failed_Count ?? 0,
      notUpdated: job.Not_Updated_Count ?? 0,
      total: job.Total_Count ?? 0,
    };
  }
}

function toResult(id: string, answer: ZohoRecordResult): ZohoWriteResult {
  if (answer.status === 'success')
    return {
      id,
      status: 'success',
      ...(typeof answer.details?.Modified_Time === 'string' && {
        modifiedTime: answer.details.Modified_Time,
      }),
    };
  const apiName = answer.details?.api_name;
  return {
    id,
    status: 'rejected',
    code: answer.code ?? 'UNKNOWN',
    message: `${answer.message ?? 'refused'}${typeof apiName === 'string' ? ` (${apiName})` : ''}`,
    ...(typeof apiName === 'string' && { apiName }),
    ...(answer.details && { details: answer.details }),
  };
}
