import { defineEntity, type EntityDefinition, type FieldSchema, restEntity } from '@crmsync/core';
import type { CallRailClient, CallRailList, CallRailRecord } from '../client.js';

export const DAY_MS = 86_400_000;
/** CallRail's largest page. */
const MAX_PER_PAGE = 250;
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
  // biome-ignore lint/suspicious/noExplicitAny: the declared lists checkpoint their page, the others their window
): EntityDefinition<CallRailClient, CallRailRecord, any> {
  const { list } = spec;
  // The setup lists are plain numbered pages: a declaration. The event-dated ones (calls, form
  // submissions, conversations) stay code: they pin their date window in the checkpoint so a
  // resumed run's page numbers mean the same rows, and clamp it to the 25-month retention.
  if (!list.dateField && list.path)
    return restEntity<CallRailRecord>({
      name: spec.name,
      displayName: spec.displayName,
      description: spec.description,
      path: `${list.path}.json`,
      records: list.key,
      total: 'total_records',
      pagination: {
        style: 'page',
        param: 'page',
        sizeParam: 'per_page',
        totalPages: 'total_pages',
      },
      pageSize: { default: 100, max: MAX_PER_PAGE },
      ...(list.query && { query: list.query }),
      fields: spec.fields,
      ...(spec.primaryKey && { primaryKey: spec.primaryKey }),
      ...(spec.createdAtField && { createdAtField: spec.createdAtField }),
      ...(spec.dependsOn && { dependsOn: spec.dependsOn }),
    });
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
