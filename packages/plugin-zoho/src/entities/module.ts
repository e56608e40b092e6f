import {
  CrmsyncError,
  createDefaultProcessor,
  defineEntity,
  type EntityDefinition,
  type FieldSchema,
  type Processor,
} from '@crmsync/core';
import { z } from 'zod';
import type { ZohoClient, ZohoRecord } from '../client.js';
import { bulkRead } from '../bulk.js';
import { isListable, moduleSchema, type ZohoField } from '../fields.js';

/** Records `page`/`per_page` reach; past them Zoho wants `page_token`. */
export const OFFSET_CAP = 2_000;
/** Field API names one list request may ask (`fields` is mandatory). */
export const MAX_LIST_FIELDS = 50;

const checkpoint = z.object({
  phase: z.enum(['records', 'deleted', 'bulk']),
  page: z.number().int().positive().optional(),
  pageToken: z.string().optional(),
  jobId: z.string().optional(),
  offset: z.number().int().nonnegative().optional(),
});
export type ZohoCheckpoint = z.infer<typeof checkpoint>;

export interface ModuleEntitySpec {
  /** crmsync's entity name (`deals`). */
  name: string;
  /** Zoho's module API name (`Deals`). */
  module: string;
  displayName?: string;
  /** The module's standard fields, typed before the metadata is read (the API's typed view). */
  fields?: FieldSchema;
}

const SYSTEM: FieldSchema = {
  id: { type: 'string', required: true },
  Owner: { type: 'json' },
  Created_Time: { type: 'datetime' },
  Modified_Time: { type: 'datetime' },
};

/** Each module entity's metadata loader, by its `fields` object (which copies of it share). */
const schemaLoaders = new WeakMap<
  FieldSchema,
  (client: ZohoClient, signal: AbortSignal) => Promise<ZohoField[]>
>();

/**
 * Reads the module's metadata into the entity's schema, picklists and processor, as a read
 * does first: for a reader other than `fetch` (a webhook's ids).
 */
export function loadModuleSchema(
  entity: { fields: FieldSchema; name: string },
  client: ZohoClient,
  signal: AbortSignal,
): Promise<ZohoField[]> {
  const load = schemaLoaders.get(entity.fields);
  if (!load) throw new Error(`zoho ${entity.name} is not a module entity`);
  return load(client, signal);
}

/** Which fields one list asks for: change stamps, the declared fields, custom ones, the rest. */
export function listFields(meta: readonly ZohoField[], declared: readonly string[]): string[] {
  const listable = meta.filter(isListable).map((f) => f.api_name);
  const custom = meta.filter((f) => f.custom_field && isListable(f)).map((f) => f.api_name);
  const ordered = ['Modified_Time', 'Created_Time', ...declared, ...custom, ...listable];
  return [...new Set(ordered.filter((f) => f !== 'id' && listable.includes(f)))];
}

/**
 * A Zoho module as an entity. Odd about Zoho, and why this is not a `restEntity`:
 * - the columns come from `GET /settings/fields` at run time (custom fields with their types,
 *   picklists checked against their values), and `fields` must name them (≤ 50) on every list;
 * - `page`/`per_page` reach 2,000 records, after which the read continues with `page_token`;
 * - the delta is the `If-Modified-Since` header (exclusive, to the second), answered 304 when
 *   nothing changed, and deletions come from `/{Module}/deleted` under the same header;
 * - empty lists are 204 with no body.
 * Reads are sorted by `Modified_Time` when bounded, else by `id`, ascending. A first full read
 * of a module holding at least the client's `bulkThreshold` records goes through the Bulk Read
 * API instead (one job per 200,000 records rather than a call per 200).
 */
export function moduleEntity(
  spec: ModuleEntitySpec,
): EntityDefinition<ZohoClient, ZohoRecord, ZohoCheckpoint> {
  const declared: FieldSchema = { ...SYSTEM, ...spec.fields };
  let picklists = new Map<string, string[]>();
  let validateFields: FieldSchema = declared;
  const entity = defineEntity<ZohoClient, ZohoRecord, ZohoCheckpoint>({
    name: spec.name,
    displayName: spec.displayName ?? spec.module,
    description: `Zoho CRM module ${spec.module}`,
    primaryKey: 'id',
    delta: { kind: 'updated-since', field: 'Modified_Time' },
    updatedAtField: 'Modified_Time',
    createdAtField: 'Created_Time',
    pageSize: { default: 200, max: 200 },
    checkpoint,
    fields: { ...declared },
    rules: [
      (record) => {
        const problems: Array<{ field: string; reason: string }> = [];
        for (const [field, allowed] of picklists) {
          const value = record.data[field];
          if (value !== null && value !== undefined && !allowed.includes(String(value)))
            problems.push({ field, reason: `not a value of the picklist (${allowed.join(', ')})` });
        }
        return problems;
      },
    ],
    async *fetch(client, request) {
      const { signal } = request;
      const meta = await loadSchema(client, signal);
      const fields = listFields(meta, Object.keys(declared));
      if (fields.length > MAX_LIST_FIELDS)
        request.logger.warn(
          `zoho ${spec.module}: ${fields.length} fields, Zoho lists at most ${MAX_LIST_FIELDS}; left out: ${fields.slice(MAX_LIST_FIELDS).join(', ')}`,
        );
      const asked = fields.slice(0, MAX_LIST_FIELDS);
      const since = request.since?.getTime();
      const until = request.until?.getTime();
      // If-Modified-Since is exclusive and to the second: ask from the second before `since`
      // and drop what is older than `since` here.
      const ims =
        since === undefined ? undefined : new Date(Math.floor(since / 1000) * 1000 - 1000);
      const perPage = request.batchSize;
      const cp = request.checkpoint;

      const threshold = client.options.bulkThreshold ?? 0;
      let bulk = cp?.phase === 'bulk';
      if (!cp && since === undefined && until === undefined && threshold > 0)
        bulk = (await client.count(spec.module, signal)) >= threshold;
      if (bulk) {
        const resume =
          cp?.phase === 'bulk' && cp.jobId
            ? { phase: 'bulk' as const, jobId: cp.jobId, offset: cp.offset ?? 0 }
            : undefined;
        for await (const page of bulkRead(client, spec.module, meta, asked, {
          pageSize: perPage,
          pollMs: client.options.bulkPollMs ?? 2_000,
          signal,
          ...(resume && { resume }),
        }))
          yield {
            records: page.records,
            checkpoint: page.checkpoint ?? { phase: 'deleted', page: 1 },
          };
      } else if (cp?.phase !== 'deleted') {
        let page = cp?.page ?? 1;
        let pageToken = cp?.pageToken;
        const sortBy = since !== undefined || until !== undefined ? 'Modified_Time' : 'id';
        for (;;) {
          const res = await client.listPage(spec.module, {
            fields: asked,
            perPage,
            ...(pageToken ? { pageToken } : { page }),
            ...(ims && { since: ims }),
            sortBy,
            signal,
          });
          let pastUntil = false;
          const records = res.data.filter((r) => {
            const t = Date.parse(String(r.Modified_Time));
            if (until !== undefined && t >= until) {
              pastUntil = true;
              return false;
            }
            return since === undefined || !(t < since);
          });
          const more = res.info.more_records === true && !pastUntil && res.data.length > 0;
          if (!more) {
            yield { records, checkpoint: { phase: 'deleted', page: 1 } };
            break;
          }
          if (pageToken || page * perPage + perPage > OFFSET_CAP) {
            const next = res.info.next_page_token;
            if (!next)
              throw new CrmsyncError(
                'data',
                `zoho ${spec.module}: more records past ${OFFSET_CAP} but no next_page_token to reach them`,
                { crm: 'zoho', entity: spec.name },
              );
            pageToken = next;
          } else page++;
          yield {
            records,
            checkpoint: pageToken ? { phase: 'records', pageToken } : { phase: 'records', page },
          };
        }
      }

      let page = cp?.phase === 'deleted' ? (cp.page ?? 1) : 1;
      for (;;) {
        const res = await client.deletedPage(spec.module, {
          page,
          perPage: 200,
          ...(ims && { since: ims }),
          signal,
        });
        const deletedIds = res.data.map((d) => String(d.id));
        const more = res.info.more_records === true && res.data.length > 0;
        page++;
        yield {
          records: [],
          deletedIds,
          ...(more && { checkpoint: { phase: 'deleted' as const, page } }),
        };
        if (!more) break;
      }
    },
  });
  /** The metadata becomes the entity's schema for this and later runs. */
  async function loadSchema(client: ZohoClient, signal: AbortSignal): Promise<ZohoField[]> {
    const meta = await client.fields(spec.module, signal);
    const schema = { ...declared, ...moduleSchema(meta) };
    Object.assign(entity.fields, schema);
    validateFields = schema;
    picklists = new Map(
      meta
        .filter((f) => f.data_type === 'picklist' && f.pick_list_values?.length)
        .map((f) => [f.api_name, (f.pick_list_values ?? []).map((p) => p.actual_value)]),
    );
    current = createDefaultProcessor({ ...entity, fields: schema }, 'zoho');
    return meta;
  }
  schemaLoaders.set(entity.fields, loadSchema);
  let current: Processor<ZohoRecord> = createDefaultProcessor(entity, 'zoho');
  entity.processor = {
    transform: (raw) => current.transform(raw),
    validate: (record, context) => current.validate(record, { ...context, fields: validateFields }),
  };
  return entity;
}
