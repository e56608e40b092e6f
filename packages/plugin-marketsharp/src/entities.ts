import {
  defineEntity,
  type EntityDefinition,
  type FieldSchema,
  type FieldSpec,
  instantToWall,
} from '@crmsync/core';
import { z } from 'zod';
import type { MarketSharpClient } from './client.js';
import { type ODataRecord, ValueReader } from './odata.js';
import { ENTITY_SETS, type EdmType, type EntitySetSpec } from './schema.js';
import { formatNaive } from './timezone.js';

/** Where a read is: records of the ordered set consumed so far (the next `$skip`). */
const checkpoint = z.object({ skip: z.number().int().min(0) });
type MarketSharpCheckpoint = z.infer<typeof checkpoint>;

/** What an entity needs of the run's client: the service and its configured server zone. */
export interface MarketSharpRun {
  client: MarketSharpClient;
  timeZone: string;
}

function fieldOf(name: string, type: EdmType, required: boolean): FieldSpec {
  const base: FieldSpec =
    type === 'Edm.DateTime'
      ? { type: 'datetime' }
      : type === 'Edm.Int32'
        ? { type: 'integer' }
        : type === 'Edm.Boolean'
          ? { type: 'boolean' }
          : type === 'Edm.Decimal' || type === 'Edm.Double'
            ? { type: 'decimal' }
            : /^email\d?$/.test(name)
              ? { type: 'email' }
              : { type: 'string' };
  return required ? { ...base, required: true } : base;
}

/** The OData datetime literal of an instant in the zone the property is kept in. */
function literal(at: Date, zone: string): string {
  return `datetime'${formatNaive(instantToWall(at.getTime(), zone))}'`;
}

/**
 * One MarketSharp entity set as an entity. A set with a change stamp reads
 * `$filter=<stamp> ge datetime'…' and <stamp> lt datetime'…'` ordered by the stamp (then the
 * key, so `$skip` paging is stable); a set without one is re-read whole, ordered by its key.
 * Pages are `$top`/`$skip`; a next link the server adds when it cuts a page short is followed
 * inside the same `$top` window.
 */
export function marketsharpEntity(
  spec: EntitySetSpec,
): EntityDefinition<MarketSharpRun, ODataRecord, MarketSharpCheckpoint> {
  const fields: FieldSchema = {};
  for (const [name, type] of Object.entries(spec.properties))
    fields[name] = fieldOf(name, type, name === spec.key || name === spec.required);
  const stamp = spec.stamp;
  return defineEntity<MarketSharpRun, ODataRecord, MarketSharpCheckpoint>({
    name: spec.name,
    displayName: spec.displayName,
    description: `MarketSharp OData entity set \`${spec.set}\``,
    primaryKey: spec.key,
    delta: stamp ? { kind: 'updated-since', field: stamp } : { kind: 'none' },
    ...(stamp && { updatedAtField: stamp, fullReadDetectsDeletes: true }),
    ...(spec.properties.createdDate === 'Edm.DateTime' && { createdAtField: 'createdDate' }),
    fields,
    pageSize: { default: 1000, max: 5000 },
    checkpoint,
    async *fetch(run, request) {
      const reader = new ValueReader(spec, run.timeZone);
      const zone = stamp === 'lastUpdateUtc' ? 'UTC' : run.timeZone;
      const filters: string[] = [];
      if (stamp && request.since) filters.push(`${stamp} ge ${literal(request.since, zone)}`);
      if (stamp && request.until) filters.push(`${stamp} lt ${literal(request.until, zone)}`);
      const orderby = stamp ? `${stamp} asc,${spec.key} asc` : `${spec.key} asc`;
      const top = request.batchSize;
      let skip = request.checkpoint?.skip ?? 0;
      for (;;) {
        let url: string | undefined = run.client.url(spec.set, {
          $filter: filters.length ? filters.join(' and ') : undefined,
          $orderby: orderby,
          $top: top,
          $skip: skip,
        });
        let inWindow = 0;
        while (url) {
          request.signal.throwIfAborted();
          const page = await run.client.page(url, reader, request.signal);
          inWindow += page.records.length;
          url = page.next;
          const done = !url && inWindow < top;
          yield {
            records: page.records,
            ...(!done && { checkpoint: { skip: skip + inWindow } }),
          };
          if (done) return;
        }
        skip += inWindow;
      }
    },
  });
}

export const marketsharpEntities = ENTITY_SETS.map(marketsharpEntity);
