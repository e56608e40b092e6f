import { defineEntity, type EntityDefinition, type FieldSchema } from '@crmsync/core';
import type { GeniusClient, GeniusRow, GeniusTable } from '../client.js';

export interface GeniusEntitySpec extends GeniusTable {
  /** `sync_type`. */
  name: string;
  displayName: string;
  description?: string;
  fields: FieldSchema;
  dependsOn?: string[];
}

/**
 * A Genius table as an entity. Tables with an update timestamp sync by delta on it;
 * small reference tables without one are re-read whole (`none`: unchanged rows are skipped
 * by hash, rows gone from the table are soft-deleted by the engine).
 */
export function geniusEntity(spec: GeniusEntitySpec): EntityDefinition<GeniusClient, GeniusRow> {
  const source: GeniusTable = {
    table: spec.table,
    key: spec.key,
    ...(spec.deltaColumn ? { deltaColumn: spec.deltaColumn } : {}),
    ...(spec.deltaFallback ? { deltaFallback: spec.deltaFallback } : {}),
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
    fetch: (client, request) => client.stream(source, request),
  });
}

/** Shorthand for the id + label + timestamps shape most reference tables share. */
export function labelFields(extra: FieldSchema = {}, withUpdatedAt = false): FieldSchema {
  return {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
    ...extra,
    ...(withUpdatedAt
      ? { created_at: { type: 'datetime' }, updated_at: { type: 'datetime' } }
      : {}),
  };
}
