import {
  CrmsyncError,
  createDefaultProcessor,
  defineEntity,
  type EntityDefinition,
  type FetchRequest,
  type FieldSchema,
} from '@crmsync/core';
import { z } from 'zod';
import type { LeadConduitClient } from '../client.js';

/** A LeadConduit event as `GET /events` returns it; live data carries undocumented keys too. */
export type LeadConduitEvent = Record<string, unknown> & { id: string; type?: string };

/** `limit` on `/events`: default 100, at most 1000. */
export const EVENTS_MAX_PAGE = 1000;
/**
 * How far before a delta's `since` the id cursor starts. An event's id is a BSON ObjectId
 * stamped (in seconds) when LeadConduit created it, which may be a little after the event's
 * `start_timestamp`; starting a minute early (and filtering on `start_timestamp`) loses none.
 */
export const ID_MARGIN_MS = 60_000;

/** The lead fields (`vars.lead.*`) kept as columns; the rest go in the record as `lead_<name>`. */
export const COMMON_LEAD_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'phone_1',
  'phone_2',
  'address_1',
  'address_2',
  'city',
  'state',
  'postal_code',
  'country',
  'trustedform_cert_url',
] as const;

/** Top-level event keys the schema names; every other key is kept in `extra`. */
const KNOWN = new Set([
  'id',
  'type',
  'outcome',
  'reason',
  'vars',
  'host',
  'start_timestamp',
  'end_timestamp',
  'ms',
  'wait_ms',
  'module_id',
  'package_version',
  'step_count',
  'appended',
  'expires_at',
]);

/** The smallest ObjectId stamped at `ms` (seconds, rounded down): a cursor before every later id. */
export function objectIdFloor(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${seconds.toString(16).padStart(8, '0')}${'0'.repeat(16)}`;
}

const checkpoint = z.strictObject({
  /** The last event id written: the next page asks `after_id` of it (exclusive). */
  after_id: z.string().regex(/^[0-9a-f]{24}$/),
});
type Checkpoint = z.infer<typeof checkpoint>;

const fields: FieldSchema = {
  id: { type: 'object_id', required: true },
  type: { type: 'string', required: true },
  outcome: { type: 'string' },
  reason: { type: 'text' },
  host: { type: 'string' },
  start_timestamp: { type: 'datetime', required: true },
  end_timestamp: { type: 'datetime' },
  ms: { type: 'integer' },
  wait_ms: { type: 'integer' },
  module_id: { type: 'string' },
  package_version: { type: 'string' },
  step_count: { type: 'integer' },
  expires_at: { type: 'datetime' },
  flow_id: { type: 'string', source: 'vars.flow.id' },
  flow_name: { type: 'string', source: 'vars.flow.name' },
  source_id: { type: 'string', source: 'vars.source.id' },
  source_name: { type: 'string', source: 'vars.source.name' },
  lead_id: { type: 'string', source: 'vars.lead.id' },
  first_name: { type: 'string', source: 'vars.lead.first_name' },
  last_name: { type: 'string', source: 'vars.lead.last_name' },
  email: { type: 'email', source: 'vars.lead.email' },
  phone_1: { type: 'phone', source: 'vars.lead.phone_1' },
  phone_2: { type: 'phone', source: 'vars.lead.phone_2' },
  address_1: { type: 'string', source: 'vars.lead.address_1' },
  address_2: { type: 'string', source: 'vars.lead.address_2' },
  city: { type: 'string', source: 'vars.lead.city' },
  state: { type: 'string', source: 'vars.lead.state' },
  postal_code: { type: 'string', source: 'vars.lead.postal_code' },
  country: { type: 'string', source: 'vars.lead.country' },
  trustedform_cert_url: { type: 'url', source: 'vars.lead.trustedform_cert_url' },
  vars: { type: 'json' },
  appended: { type: 'json' },
  /** Keys of the event this schema does not name (`flow_pricing`, `request`, `response`, …). */
  extra: { type: 'json', source: '__extra__' },
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function eventsEntity(
  name: 'events' | 'leads',
  displayName: string,
  description: string,
  keep: (event: LeadConduitEvent) => boolean,
): EntityDefinition<LeadConduitClient, LeadConduitEvent, Checkpoint> {
  const entity: EntityDefinition<LeadConduitClient, LeadConduitEvent, Checkpoint> = {
    name,
    displayName,
    description,
    primaryKey: 'id',
    // Events are immutable and created in id order: a delta reads the new ones.
    delta: { kind: 'created-since', field: 'start_timestamp' },
    createdAtField: 'start_timestamp',
    // An event names its flow: `sync all` reads the flows (and destinations) first.
    dependsOn: ['flows', 'destinations'],
    pageSize: { default: EVENTS_MAX_PAGE, max: EVENTS_MAX_PAGE },
    checkpoint,
    fields,
    fetch: (client, request) => readEvents(client, request, keep),
  };
  const base = createDefaultProcessor(entity, 'leadconduit');
  entity.processor = {
    transform(raw) {
      const record = base.transform(raw);
      const extra: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(raw)) if (!KNOWN.has(key)) extra[key] = value;
      record.data.extra = Object.keys(extra).length > 0 ? extra : null;
      // The lead fields without a column of their own, by their own name after `lead_`.
      const lead = isObject(raw.vars) && isObject(raw.vars.lead) ? raw.vars.lead : {};
      for (const [key, value] of Object.entries(lead))
        if (key !== 'id' && !(COMMON_LEAD_FIELDS as readonly string[]).includes(key))
          record.data[`lead_${key}`] = value;
      return record;
    },
    validate: (record, context) => base.validate(record, context),
  };
  return defineEntity(entity);
}

/**
 * `GET /events?sort=asc&limit=…&after_id=…`, page after page by the id of the last event
 * (exclusive), until a short page. A delta starts its id cursor at `since` (an ObjectId
 * stamped then, a minute early), `--start-date` bounds the first read with `start`, and
 * `--end-date` with `end`; the engine's bounds are then applied to `start_timestamp` exactly.
 */
async function* readEvents(
  client: LeadConduitClient,
  request: FetchRequest<Checkpoint>,
  keep: (event: LeadConduitEvent) => boolean,
) {
  const limit = Math.max(1, Math.min(request.batchSize, EVENTS_MAX_PAGE));
  const { since, until } = request;
  let after =
    request.checkpoint?.after_id ??
    (since && request.mode !== 'start-date'
      ? objectIdFloor(since.getTime() - ID_MARGIN_MS)
      : undefined);
  const second = (d: Date, up: boolean) =>
    new Date(Math.floor(d.getTime() / 1000) * 1000 + (up && d.getTime() % 1000 ? 1000 : 0))
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  for (;;) {
    const res = await client.http.get<unknown>('/events', {
      query: {
        sort: 'asc',
        limit,
        after_id: after,
        start: request.mode === 'start-date' && since ? second(since, false) : undefined,
        end: until ? second(until, true) : undefined,
      },
      signal: request.signal,
    });
    if (!Array.isArray(res.body))
      throw new CrmsyncError(
        'data',
        `leadconduit ${request.mode} read of /events: expected a JSON array of events, got ${typeof res.body}`,
        { crm: 'leadconduit' },
      );
    const page = res.body as LeadConduitEvent[];
    const last = page.at(-1);
    const records = page.filter((event) => {
      const at = Number(event.start_timestamp);
      if (since && at < since.getTime()) return false;
      if (until && at >= until.getTime()) return false;
      return keep(event);
    });
    if (last) after = String(last.id);
    yield { records, ...(last && { checkpoint: { after_id: String(last.id) } }) };
    if (page.length < limit) return;
    request.signal.throwIfAborted();
  }
}

export const events = eventsEntity(
  'events',
  'Events',
  'Every step a lead went through (source, recipient, filter, feedback, retry); immutable, read by id cursor',
  () => true,
);

export const leads = eventsEntity(
  'leads',
  'Leads',
  'Events of type `source`: a lead as it arrived',
  (event) => event.type === 'source',
);
