import { type FakeApi, jsonBody, ok, reply } from '@crmsync/core/fake-api';
import { USER } from './data.js';
import { fail, zohoError } from './errors.js';
import type { ZohoLimits } from './limits.js';
import type { FakeModule, FakeZohoOrg } from './org.js';
import { refuseValue } from './validate.js';

/** Records one `PUT /crm/v8/{Module}` may carry. */
export const WRITE_BATCH = 100;
/** UNCONFIRMED: records one mass update may name by `ids`. */
export const MASS_UPDATE_MAX = 50_000;

export interface MassUpdateJob {
  id: string;
  module: string;
  ids: string[];
  values: Record<string, unknown>;
  startedAt: number;
  done: number;
  updated: number;
  failed: number;
}

/** Why a written record is refused, or `undefined` when every value fits. */
function refuseRecord(module: FakeModule, values: Record<string, unknown>) {
  for (const [name, value] of Object.entries(values)) {
    // Unknown and read-only API names are ignored, as Zoho ignores them (UNCONFIRMED).
    const field = module.fields.find((f) => f.api_name === name);
    if (!field || field.read_only) continue;
    const refused = refuseValue(field, value);
    if (refused) return refused;
  }
  return undefined;
}

/**
 * `PUT /crm/v8/{Module}` (≤ 100 records, one result per record, in order) and mass update
 * (`POST …/actions/mass_update` schedules a job, `GET …/actions/mass_update?job_id=` reports
 * it). A job updates `massUpdateRate` records per second of the fake's clock, worked off when
 * its status is read.
 */
export function mountWriteRoutes(
  api: FakeApi,
  org: FakeZohoOrg,
  limits: ZohoLimits,
  massUpdateRate: () => number,
) {
  const jobs = new Map<string, MassUpdateJob>();
  let jobSeq = 0;

  api.route(
    'PUT',
    '/crm/v8/:module',
    limits.guard(1, (request) => {
      const module = org.module(request.params.module ?? '');
      const body = jsonBody(request) as { data?: unknown } | undefined;
      if (!Array.isArray(body?.data) || body.data.length === 0)
        throw fail(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
          param_name: 'data',
        });
      if (body.data.length > WRITE_BATCH)
        throw fail(400, 'LIMIT_EXCEEDED', 'Record count exceeded', { limit: WRITE_BATCH });
      const results = (body.data as Array<Record<string, unknown>>).map((values) => {
        const { id, ...patch } = values ?? {};
        if (typeof id !== 'string' || id === '')
          return zohoError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'id' });
        const row = module.records.get(id);
        if (!row)
          return zohoError('INVALID_DATA', 'the id given seems to be invalid', { api_name: 'id' });
        const refused = refuseRecord(module, patch);
        if (refused) return refused;
        const writable = Object.fromEntries(
          Object.entries(patch).filter(([name]) =>
            module.fields.some((f) => f.api_name === name && !f.read_only),
          ),
        );
        const saved = org.touch(module.name, id, writable);
        return {
          code: 'SUCCESS',
          details: {
            Modified_Time: saved.Modified_Time,
            Modified_By: { name: USER.name, id: USER.id },
            Created_Time: saved.Created_Time,
            id,
            Created_By: { name: USER.name, id: USER.id },
          },
          message: 'record updated',
          status: 'success',
        };
      });
      // UNCONFIRMED: 200 when every record was written, 207 (multi-status) when some were not.
      const allWritten = results.every((r) => r.status === 'success');
      return reply(allWritten ? 200 : 207, { data: results });
    }),
  );

  const work = (job: MassUpdateJob) => {
    const module = org.module(job.module);
    const due = Math.min(
      job.ids.length,
      Math.floor(((org.clock.now() - job.startedAt) / 1000) * massUpdateRate()),
    );
    for (; job.done < due; job.done++) {
      const id = job.ids[job.done] as string;
      if (module.records.get(id)) {
        org.touch(module.name, id, job.values);
        job.updated++;
      } else job.failed++;
    }
  };

  api.post(
    '/crm/v8/:module/actions/mass_update',
    // UNCONFIRMED: what a mass update costs in credits.
    limits.guard(25, (request) => {
      const module = org.module(request.params.module ?? '');
      const body = jsonBody(request) as { data?: unknown; ids?: unknown } | undefined;
      const data = Array.isArray(body?.data) ? (body.data as Array<Record<string, unknown>>) : [];
      const values = data[0];
      if (data.length !== 1 || !values || typeof values !== 'object')
        throw fail(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
          param_name: 'data',
        });
      if (!Array.isArray(body?.ids) || body.ids.length === 0)
        throw fail(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
          param_name: 'ids',
        });
      if (body.ids.length > MASS_UPDATE_MAX)
        throw fail(400, 'LIMIT_EXCEEDED', 'Record count exceeded', { limit: MASS_UPDATE_MAX });
      for (const name of Object.keys(values)) {
        const field = module.fields.find((f) => f.api_name === name);
        if (!field || field.read_only)
          throw fail(400, 'INVALID_DATA', 'invalid data', { api_name: name });
      }
      const refused = refuseRecord(module, values);
      if (refused) throw fail(400, refused.code, refused.message, refused.details);
      const id = String(5_725_767_000_001_000_000n + BigInt(++jobSeq));
      jobs.set(id, {
        id,
        module: module.name,
        ids: (body.ids as unknown[]).map(String),
        values,
        startedAt: org.clock.now(),
        done: 0,
        updated: 0,
        failed: 0,
      });
      return reply(202, {
        data: [
          {
            code: 'SUCCESS',
            details: { job_id: id },
            message: 'mass update scheduled successfully',
            status: 'success',
          },
        ],
      });
    }),
  );

  api.get(
    '/crm/v8/:module/actions/mass_update',
    limits.guard(1, (request) => {
      const jobId = request.query.get('job_id');
      if (!jobId)
        throw fail(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
          param_name: 'job_id',
        });
      const job = jobs.get(jobId);
      if (!job || job.module !== request.params.module)
        throw fail(400, 'INVALID_DATA', 'invalid data', { param_name: 'job_id' });
      work(job);
      const status =
        job.done === job.ids.length ? 'COMPLETED' : job.done === 0 ? 'SCHEDULED' : 'RUNNING';
      return ok({
        data: [
          {
            Status: status,
            Failed_Count: job.failed,
            Updated_Count: job.updated,
            Not_Updated_Count: job.ids.length - job.done,
            Total_Count: job.ids.length,
          },
        ],
      });
    }),
  );

  return jobs;
}
