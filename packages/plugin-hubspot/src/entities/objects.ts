import {
  defineEntity,
  type EntityDefinition,
  type FieldSchema,
  type FetchRequest,
  type Page,
} from '@crmsync/core';
import { z } from 'zod';
import type { HubspotClient, HubspotObject } from '../client.js';

export interface ObjectEntityOptions {
  /** `sync_type`: `contacts`, `appointments`, `projects`. */
  name: string;
  displayName: string;
  description?: string;
  /** Path segment: a name (`contacts`) or an object type id (`0-421`, `2-123456`). */
  objectType: string;
  /** The change stamp the delta search filters and sorts on. */
  modifiedProperty: string;
  /** The entity's own properties, each `source: 'properties.<name>'`. */
  fields: FieldSchema;
  dependsOn?: string[];
}

/** The fields every CRM object has, from the record envelope rather than `properties`. */
const ENVELOPE: FieldSchema = {
  id: {
    type: 'object_id',
    source: 'id',
    required: true,
    description: 'HubSpot record id (hs_object_id)',
  },
  created_at: { type: 'datetime', source: 'createdAt' },
  updated_at: {
    type: 'datetime',
    source: 'updatedAt',
    description: 'mirrors the last-modified property',
  },
  archived: { type: 'boolean', source: 'archived' },
};

/** The `properties=` a read asks for: every `properties.<name>` the fields map, plus the stamp. */
export function requestedProperties(fields: FieldSchema, modifiedProperty: string): string[] {
  const names = new Set<string>();
  for (const spec of Object.values(fields))
    if (spec.source?.startsWith('properties.')) names.add(spec.source.slice('properties.'.length));
  names.add(modifiedProperty);
  return [...names];
}

/** Ids per `batch/read` request: HubSpot's limit. */
const BATCH_READ_MAX = 100;

/** Which pass a read was in and where: parsed by the engine before it reaches `fetch`. */
const objectCheckpoint = z.strictObject({
  phase: z.enum(['list', 'search', 'archived']).optional(),
  after: z.string().optional(),
  since: z.string().optional(),
});
type ObjectCheckpoint = z.infer<typeof objectCheckpoint>;

/**
 * A HubSpot CRM object as an entity. Full reads page the list endpoint (`after`, ≤ 100);
 * deltas use search on the change stamp (sorted ascending, complete past the 10,000 cap);
 * then a pass over `archived=true` soft-deletes what was archived (search never returns
 * archived records). Each page checkpoints its phase and position. It stays code rather than a
 * `restEntity` because it switches endpoints by mode (list for full reads, search for deltas)
 * and search must be walked past its 10,000-result cap by moving the since bound.
 */
export function objectEntity(
  o: ObjectEntityOptions,
): EntityDefinition<HubspotClient, HubspotObject, ObjectCheckpoint> {
  const fields: FieldSchema = { ...ENVELOPE, ...o.fields };
  const properties = requestedProperties(fields, o.modifiedProperty);
  return defineEntity<HubspotClient, HubspotObject, ObjectCheckpoint>({
    name: o.name,
    displayName: o.displayName,
    ...(o.description && { description: o.description }),
    primaryKey: 'id',
    delta: { kind: 'updated-since', field: 'updated_at' },
    fields,
    updatedAtField: 'updated_at',
    createdAtField: 'created_at',
    ...(o.dependsOn && { dependsOn: o.dependsOn }),
    checkpoint: objectCheckpoint,
    async *fetchByIds(client, request) {
      const ids = [...new Set(request.ids)];
      for (let i = 0; i < ids.length; i += BATCH_READ_MAX) {
        const chunk = ids.slice(i, i + BATCH_READ_MAX);
        const { records, missing } = await client.batchRead(
          o.objectType,
          chunk,
          properties,
          request.signal,
        );
        yield { records, ...(missing.length > 0 && { deletedIds: missing }) };
      }
    },
    async *fetch(
      client,
      request: FetchRequest<ObjectCheckpoint>,
    ): AsyncGenerator<Page<HubspotObject, ObjectCheckpoint>> {
      const cp = request.checkpoint ?? {};
      const limit = Math.max(1, request.batchSize);
      const { signal } = request;
      if (cp.phase !== 'archived') {
        if (request.since || request.until) {
          const since =
            cp.phase === 'search' && cp.since
              ? Date.parse(cp.since)
              : (request.since?.getTime() ?? 0);
          yield* client.searchChanged(o.objectType, {
            property: o.modifiedProperty,
            since,
            ...(request.until && { until: request.until.getTime() }),
            properties,
            limit,
            signal,
          });
        } else {
          const after = cp.phase === 'list' ? cp.after : undefined;
          for await (const page of client.listPages(o.objectType, {
            properties,
            limit,
            signal,
            ...(after && { after }),
          }))
            yield {
              records: page.records,
              checkpoint: page.after ? { phase: 'list', after: page.after } : { phase: 'archived' },
            };
        }
      }
      if (request.options['skip-archived'] === true) return;
      const since = request.since?.getTime();
      const after = cp.phase === 'archived' ? cp.after : undefined;
      for await (const page of client.listPages(o.objectType, {
        properties: [o.modifiedProperty],
        archived: true,
        limit,
        signal,
        ...(after && { after }),
      })) {
        const deletedIds = page.records
          .filter((r) => since === undefined || Date.parse(r.archivedAt ?? r.updatedAt) >= since)
          .map((r) => r.id);
        yield {
          records: [],
          deletedIds,
          checkpoint: { phase: 'archived', ...(page.after && { after: page.after }) },
        };
      }
    },
  });
}
