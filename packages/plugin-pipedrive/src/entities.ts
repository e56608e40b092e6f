import {
  createDefaultProcessor,
  type EntityDefinition,
  type FieldSchema,
  type MappedRecord,
  type RestCheckpoint,
  restEntity,
  type SlicedCheckpoint,
  slicedEntity,
} from '@crmsync/core';
import type { PipedriveClient, PipedriveEntityName } from './client.js';

/** A Pipedrive v2 record as the list endpoints return it (fields vary by entity). */
export type PipedriveRecord = Record<string, unknown> & { id: number; update_time: string };

/** Ids one v2 list call may ask (`ids`: "up to 100 entity ids"). */
export const IDS_MAX = 100;

/** Where the fetch puts a record's custom fields under their readable names. */
const NAMED = Symbol('pipedrive custom fields');
type Named = PipedriveRecord & { [NAMED]?: Record<string, unknown> };

const common: FieldSchema = {
  id: { type: 'integer', required: true },
  owner_id: { type: 'integer' },
  add_time: { type: 'datetime' },
  update_time: { type: 'datetime', required: true },
  /** Custom field values whose field the `*Fields` endpoint no longer lists, by hash. */
  custom_fields: { type: 'json' },
};

/**
 * One v2 list endpoint. Every v2 list pages by an opaque cursor (`limit` ≤ 500: asked),
 * filters by `update_time` in [updated_since, updated_until) given as RFC 3339 (products have
 * no `updated_until`: restEntity drops what lies past the bound), and reports deletions as
 * records flagged `is_deleted: true`. Custom fields come keyed by 40-character hashes under
 * `custom_fields`; they are stored under the names the entity's `*Fields` endpoint gives them.
 */
function pipedriveList(
  name: PipedriveEntityName,
  displayName: string,
  fields: FieldSchema,
  extra: { query?: Record<string, string>; until?: boolean } = {},
): EntityDefinition<PipedriveClient, PipedriveRecord, RestCheckpoint | SlicedCheckpoint> {
  const schema = { ...common, ...fields };
  const list = restEntity<PipedriveRecord, PipedriveClient>({
    name,
    displayName,
    path: `/${name}`,
    records: 'data',
    // Oldest change first: a record changed during the read moves behind the cursor.
    query: { sort_by: 'update_time', sort_direction: 'asc', ...extra.query },
    pagination: {
      style: 'cursor',
      param: 'cursor',
      next: 'additional_data.next_cursor',
      limitParam: 'limit',
    },
    pageSize: { default: 500, max: 500 },
    delta: {
      kind: 'updated-since',
      field: 'update_time',
      since: 'updated_since',
      ...(extra.until !== false && { until: 'updated_until' }),
      format: 'iso-seconds',
    },
    deletes: { flag: 'is_deleted' },
    onResponse: (res, client) => client.observe(res.headers),
    updatedAtField: 'update_time',
    createdAtField: 'add_time',
    fields: schema,
  });
  const base = createDefaultProcessor<PipedriveRecord>(list, 'pipedrive');
  const builtIn = new Set(Object.keys(schema));
  const named: EntityDefinition<PipedriveClient, PipedriveRecord, RestCheckpoint> = {
    ...list,
    processor: {
      transform(raw): MappedRecord {
        const record = base.transform(raw);
        const named = (raw as Named)[NAMED];
        if (named) record.data = sortedKeys({ ...record.data, ...named });
        return record;
      },
      validate: (record, context) => base.validate(record, context),
    },
    async *fetch(client, request) {
      const names = await client.customFieldNames(name, builtIn, request.signal);
      for await (const page of list.fetch(client, request))
        yield { ...page, records: page.records.map((r) => nameCustomFields(r, names)) };
    },
    // A webhook's ids: the same v2 list with `ids` (≤ 100 a call, spec: "If any of the
    // requested entities do not exist or are not visible, they are not included"). Records
    // flagged `is_deleted` (deals asked with status `deleted`) are soft-deleted.
    async *fetchByIds(client, request) {
      const names = await client.customFieldNames(name, builtIn, request.signal);
      const ids = [...new Set(request.ids)];
      for (let at = 0; at < ids.length; at += IDS_MAX) {
        const chunk = ids.slice(at, at + IDS_MAX);
        const res = await client.http.get<{ data: PipedriveRecord[] | null }>(`/${name}`, {
          query: { ...extra.query, ids: chunk.join(','), limit: IDS_MAX },
          signal: request.signal,
        });
        client.observe(res.headers);
        const rows = res.body.data ?? [];
        const deleted = rows.filter((r) => r.is_deleted === true).map((r) => String(r.id));
        yield {
          records: rows.filter((r) => r.is_deleted !== true).map((r) => nameCustomFields(r, names)),
          ...(deleted.length > 0 && { deletedIds: deleted }),
        };
      }
    },
  };
  // Products have no updated_until: a span could not be asked of the API, so they are not sliced.
  if (extra.until === false) return named;
  return slicedEntity(named, {
    // The oldest change: the first record by update_time.
    async origin(client, request) {
      const res = await client.http.get<{ data: PipedriveRecord[] | null }>(`/${name}`, {
        query: { ...extra.query, sort_by: 'update_time', sort_direction: 'asc', limit: 1 },
        signal: request.signal,
      });
      const first = res.body.data?.[0]?.update_time;
      return first ? new Date(first) : undefined;
    },
  });
}

/** Moves each hash-keyed custom field to its readable name; unknown hashes stay in `custom_fields`. */
function nameCustomFields(raw: PipedriveRecord, names: Map<string, string>): PipedriveRecord {
  const custom = raw.custom_fields;
  if (!custom || typeof custom !== 'object') return raw;
  const named: Record<string, unknown> = {};
  const unknown: Record<string, unknown> = {};
  for (const [hash, value] of Object.entries(custom as Record<string, unknown>)) {
    const as = names.get(hash);
    if (as) named[as] = value ?? null;
    else unknown[hash] = value;
  }
  const out: Named = { ...raw, custom_fields: Object.keys(unknown).length ? unknown : null };
  out[NAMED] = named;
  return out;
}

function sortedKeys(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(data).sort()) out[key] = data[key];
  return out;
}

export const persons = pipedriveList('persons', 'Persons', {
  name: { type: 'string' },
  first_name: { type: 'string' },
  last_name: { type: 'string' },
  org_id: { type: 'integer' },
  email: { type: 'email', source: 'emails.0.value' },
  phone: { type: 'phone', source: 'phones.0.value' },
  emails: { type: 'json' },
  phones: { type: 'json' },
  visible_to: { type: 'integer' },
  label_ids: { type: 'json' },
});

export const organizations = pipedriveList('organizations', 'Organizations', {
  name: { type: 'string', required: true },
  website: { type: 'url' },
  industry: { type: 'string' },
  address: { type: 'json' },
  visible_to: { type: 'integer' },
  label_ids: { type: 'json' },
});

/**
 * Deals: `status` is asked with `deleted` too, since v2 leaves deals deleted in the last 30
 * days out of the list unless asked for them; they come back `is_deleted: true`. Archived
 * deals live at `/deals/archived` and are not read.
 */
export const deals = pipedriveList(
  'deals',
  'Deals',
  {
    title: { type: 'string', required: true },
    creator_user_id: { type: 'integer' },
    value: { type: 'decimal' },
    currency: { type: 'string' },
    status: { type: 'string' },
    probability: { type: 'decimal' },
    person_id: { type: 'integer' },
    org_id: { type: 'integer' },
    pipeline_id: { type: 'integer' },
    stage_id: { type: 'integer' },
    stage_change_time: { type: 'datetime' },
    close_time: { type: 'datetime' },
    won_time: { type: 'datetime' },
    lost_time: { type: 'datetime' },
    expected_close_date: { type: 'date' },
    is_archived: { type: 'boolean' },
  },
  { query: { status: 'open,won,lost,deleted' } },
);

export const activities = pipedriveList('activities', 'Activities', {
  subject: { type: 'string' },
  type: { type: 'string' },
  creator_user_id: { type: 'integer' },
  deal_id: { type: 'integer' },
  lead_id: { type: 'string' },
  person_id: { type: 'integer' },
  org_id: { type: 'integer' },
  due_date: { type: 'date' },
  due_time: { type: 'string' },
  duration: { type: 'string' },
  done: { type: 'boolean' },
  marked_as_done_time: { type: 'datetime' },
  location: { type: 'json' },
  participants: { type: 'json' },
});

/** Products: v2 has `updated_since` but no `updated_until`. */
export const products = pipedriveList(
  'products',
  'Products',
  {
    name: { type: 'string', required: true },
    code: { type: 'string' },
    description: { type: 'text' },
    unit: { type: 'string' },
    tax: { type: 'decimal' },
    category: { type: 'string' },
    is_linkable: { type: 'boolean' },
    visible_to: { type: 'integer' },
    prices: { type: 'json' },
  },
  { until: false },
);
