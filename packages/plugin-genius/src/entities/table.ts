import { defineEntity, type EntityDefinition, type FieldSchema } from '@crmsync/core';
import type { GeniusClient, GeniusRow, GeniusTable } from '../client.js';
import { geniusProcessor } from '../processor.js';

export interface GeniusEntitySpec extends GeniusTable {
  /** `sync_type`. */
  name: string;
  displayName: string;
  description?: string;
  fields: FieldSchema;
  dependsOn?: string[];
}

/**
 * A Genius table as an entity. `fields` are the columns the legacy queries relied on (their
 * types, checks and the dashboard's columns); the record keeps every column the table has. Tables with an update timestamp sync by delta on it;
 * small reference tables without one are re-read whole (`none`: unchanged rows are skipped
 * by hash, rows gone from the table are soft-deleted by the engine).
 */
export function geniusEntity(spec: GeniusEntitySpec): EntityDefinition<GeniusClient, GeniusRow> {
  const source: GeniusTable = {
    table: spec.table,
    key: spec.key,
    ...(spec.deltaColumn ? { deltaColumn: spec.deltaColumn } : {}),
    ...(spec.deltaFallback ? { deltaFallback: spec.deltaFallback } : {}),
    declared: Object.keys(spec.fields),
  };
  return defineEntity<GeniusClient, GeniusRow>({
    name: spec.name,
    displayName: spec.displayName,
    description: spec.description ?? `Genius table \`${spec.table}\``,
    primaryKey: spec.key,
    delta: spec.deltaColumn ? { kind: 'updated-since', field: spec.deltaColumn } : { kind: 'none' },
    fields: spec.fields,
    ...(spec.deltaColumn ? { updatedAtField: spec.deltaColumn } : {}),
    ...(spec.dependsOn ? { dependsOn: spec.dependsOn } : {}),
    processor: geniusProcessor(spec),
    fetch: (client, request) => client.stream(source, request),
  });
}

/** Shorthand for the id + label (+ update time) shape most reference tables share. */
export function labelFields(extra: FieldSchema = {}, withUpdatedAt = false): FieldSchema {
  return {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
    ...extra,
    ...(withUpdatedAt ? { updated_at: { type: 'datetime' } } : {}),
  };
}
