import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CrmsyncError } from '@crmsync/core';
import { parse } from 'csv-parse';
import { unzipSync } from 'fflate';
import type { ZohoClient, ZohoRecord } from './client.js';
import type { ZohoField } from './fields.js';

export interface BulkCheckpoint {
  phase: 'bulk';
  jobId: string;
  /** Rows of the job's CSV already handed on. */
  offset: number;
}

interface JobDetail {
  id: string;
  state: 'ADDED' | 'QUEUED' | 'IN PROGRESS' | 'COMPLETED' | 'FAILURE';
  result?: {
    download_url?: string;
    more_records?: boolean;
    next_page_token?: string | null;
    count?: number;
  };
}

/**
 * Reads a whole module with the Bulk Read API: adds a job for the fields (`POST
 * /crm/bulk/v8/read`), polls it until `COMPLETED`, downloads its ZIP, unzips the one CSV and
 * parses it as a stream, handing on `pageSize` records at a time; a result with
 * `more_records` is followed by a job for `next_page_token`. Cells are text, as the CSV has
 * them: empty ones become null, lookups (the CSV holds their id) `{id}`, multi-select
 * picklists (`;`-separated) lists; the entity's types coerce the rest.
 */
export async function* bulkRead(
  client: ZohoClient,
  module: string,
  meta: readonly ZohoField[],
  fields: readonly string[],
  o: { pageSize: number; pollMs: number; signal: AbortSignal; resume?: BulkCheckpoint },
): AsyncGenerator<{ records: ZohoRecord[]; checkpoint?: BulkCheckpoint }> {
  const http = await client.http(o.signal);
  const url = client.apiUrl('/crm/bulk/v8/read');
  const types = new Map(meta.map((f) => [f.api_name, f.data_type]));
  const asked = ['id', ...fields.filter((f) => f !== 'id')];
  let resume = o.resume;
  let pageToken: string | undefined;
  for (;;) {
    let jobId = resume?.jobId;
    let detail = jobId ? await jobDetail(jobId).catch(() => undefined) : undefined;
    if (!detail || detail.state === 'FAILURE') {
      resume = undefined;
      const res = await http.post<{ data?: Array<{ details?: { id?: string } }> }>(
        url,
        {
          query: {
            module: { api_name: module },
            fields: asked,
            ...(pageToken && { page_token: pageToken }),
          },
          file_type: 'csv',
        },
        { signal: o.signal },
      );
      jobId = res.body?.data?.[0]?.details?.id;
      if (!jobId)
        throw new CrmsyncError('data', `zoho ${module}: the bulk read answered no job id`, {
          crm: 'zoho',
        });
    }
    const id = jobId as string;
    detail = detail?.state === 'COMPLETED' ? detail : await completed(id);
    const download = detail.result?.download_url ?? `/crm/bulk/v8/read/${id}/result`;
    const zip = await client.download(download, o.signal);
    const files = unzipSync(zip, { filter: (f) => f.name.endsWith('.csv') });
    const csv = Object.values(files)[0];
    if (!csv)
      throw new CrmsyncError('data', `zoho ${module}: the bulk read ZIP holds no CSV`, {
        crm: 'zoho',
      });
    const parser = Readable.from([Buffer.from(csv)]).pipe(parse({ columns: true, bom: true }));
    const skip = resume?.offset ?? 0;
    let row = 0;
    let batch: ZohoRecord[] = [];
    for await (const cells of parser as AsyncIterable<Record<string, string>>) {
      row++;
      if (row <= skip) continue;
      batch.push(toRecord(cells, types));
      if (batch.length >= o.pageSize) {
        yield { records: batch, checkpoint: { phase: 'bulk', jobId: id, offset: row } };
        batch = [];
      }
    }
    const next = detail.result?.more_records ? detail.result.next_page_token : undefined;
    if (batch.length || !next)
      yield {
        records: batch,
        ...(next && { checkpoint: { phase: 'bulk' as const, jobId: id, offset: row } }),
      };
    if (!next) return;
    pageToken = next;
    resume = undefined;
  }

  async function jobDetail(id: string): Promise<JobDetail> {
    const res = await http.get<{ data?: JobDetail[] }>(client.apiUrl(`/crm/bulk/v8/read/${id}`), {
      signal: o.signal,
    });
    const job = res.body?.data?.[0];
    if (!job)
      throw new CrmsyncError('data', `zoho ${module}: no bulk read job ${id}`, { crm: 'zoho' });
    return job;
  }

  async function completed(id: string): Promise<JobDetail> {
    for (;;) {
      const job = await jobDetail(id);
      if (job.state === 'COMPLETED') return job;
      if (job.state === 'FAILURE')
        throw new CrmsyncError('transient', `zoho ${module}: bulk read job ${id} failed`, {
          crm: 'zoho',
        });
      await sleep(o.pollMs, undefined, { signal: o.signal });
    }
  }
}

function toRecord(cells: Record<string, string>, types: Map<string, string>): ZohoRecord {
  const record: ZohoRecord = { id: cells.id ?? '' };
  for (const [name, text] of Object.entries(cells)) {
    if (name === 'id') continue;
    const type = types.get(name);
    if (text === '') record[name] = null;
    else if (type === 'lookup' || type === 'ownerlookup') record[name] = { id: text };
    else if (type === 'multiselectpicklist') record[name] = text.split(';');
    else record[name] = text;
  }
  return record;
}
