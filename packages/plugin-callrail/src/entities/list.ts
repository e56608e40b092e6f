import { defineEntity, type EntityDefinition, type FieldSchema } from '@crmsync/core';
import type { CallRailClient, CallRailList, CallRailRecord } from '../client.js';

export const DAY_MS = 86_400_000;
/** Default trailing window re-read by every delta of event-dated entities. */
export const DEFAULT_WINDOW_DAYS = 7;

interface CallRailEntitySpec {
  name: string;
  displayName: string;
  description: string;
  list: CallRailList;
  fields: FieldSchema;
  primaryKey?: string;
  createdAtField?: string;
  dependsOn?: string[];
  /** Calls alone page relatively. */
  relative?: boolean;
}

/**
 * A CallRail list as an entity. Lists with an event date (calls, form submissions,
 * conversations) have no modified-since filter, so each delta re-reads a trailing window of
 * event time; the small account-setup lists (companies, trackers, users, tags) are re-read
 * whole (`none`: unchanged rows skipped by hash, vanished ones soft-deleted).
 */
export function callrailEntity(
  spec: CallRailEntitySpec,
): EntityDefinition<CallRailClient, CallRailRecord> {
  const { list } = spec;
  return defineEntity<CallRailClient, CallRailRecord>({
    name: spec.name,
    displayName: spec.displayName,
    description: spec.description,
    primaryKey: spec.primaryKey ?? 'id',
    delta: list.dateField
      ? {
          kind: 'trailing-window',
          field: list.dateField,
          windowMs: DEFAULT_WINDOW_DAYS * DAY_MS,
          // The engine reaches back `--window-days` (or 7) before the delta start; the client adds nothing.
          windowOption: 'window-days',
        }
      : { kind: 'none' },
    fields: spec.fields,
    ...(spec.createdAtField ? { createdAtField: spec.createdAtField } : {}),
    ...(spec.dependsOn ? { dependsOn: spec.dependsOn } : {}),
    fetch: (client, request) =>
      spec.relative ? client.relativePages(list, request) : client.pages(list, request),
  });
}
