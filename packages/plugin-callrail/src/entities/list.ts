import {
  createDefaultProcessor,
  type EntityDefinition,
  type FieldSchema,
  restEntity,
} from '@crmsync/core';
import type { CallRailClient, CallRailList, CallRailRecord } from '../client.js';
import { DEFAULT_WINDOW_DAYS, eventWindow } from '../window.js';

export const DAY_MS = 86_400_000;

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
  /**
   * Rewrites CallRail's own spellings in a raw record before the fields are mapped (a
   * currency string's amount, a protocol-relative URL): what is odd about this list.
   */
  prepare?: (raw: CallRailRecord) => void;
}

/**
 * A CallRail list as an entity. Lists with an event date (calls, form submissions,
 * conversations) have no modified-since filter, so each delta re-reads a trailing window of
 * event time, pinned in the checkpoint (a resumed run's page numbers then mean the same rows)
 * and clamped to the 25-month retention; the small account-setup lists (companies, trackers,
 * users, tags) are re-read whole (`none`: unchanged rows skipped by hash, vanished ones
 * soft-deleted).
 */
export function callrailEntity(
  spec: CallRailEntitySpec,
): EntityDefinition<CallRailClient, CallRailRecord> {
  const { list } = spec;
  const dated =
    list.dateField &&
    ({
      delta: {
        kind: 'trailing-window',
        field: list.dateField,
        windowMs: DEFAULT_WINDOW_DAYS * DAY_MS,
        // The engine reaches back `--window-days` (or 7) before the delta start; the client adds nothing.
        windowOption: 'window-days',
        since: 'start_date',
        until: 'end_date',
      },
      // CallRail answers only the last 30 days when sent no range: a full read starts at the floor.
      window: (request) => {
        const w = eventWindow(request, new Date(), request.logger);
        return { since: w.start, until: w.end };
      },
    } satisfies Pick<Parameters<typeof restEntity>[0], 'delta' | 'window'>);
  const entity = restEntity<CallRailRecord, CallRailClient>({
    name: spec.name,
    displayName: spec.displayName,
    description: spec.description,
    // `/a.json` (accounts) is above the account the client is based at.
    path: list.path === null ? (client) => client.url(null) : `${list.path}.json`,
    records: list.key,
    ...(!spec.relative && { total: 'total_records' }),
    // Calls page relatively (`next_page` URL), which does not count the whole result set first.
    pagination: spec.relative
      ? { style: 'next-url', next: 'next_page', limitParam: 'per_page' }
      : { style: 'page', param: 'page', sizeParam: 'per_page', totalPages: 'total_pages' },
    pageSize: { default: 100, max: 250 },
    query: {
      ...list.query,
      // Sorted ascending by event time inside a fixed window, so records arriving during the
      // run land after `end_date` and cannot shift the pages still to come.
      ...(list.dateField && { sort: list.dateField, order: 'asc' }),
      ...(spec.relative && { relative_pagination: 'true' }),
    },
    ...dated,
    fields: spec.fields,
    ...(spec.primaryKey && { primaryKey: spec.primaryKey }),
    ...(spec.createdAtField && { createdAtField: spec.createdAtField }),
    ...(spec.dependsOn && { dependsOn: spec.dependsOn }),
  });
  const { prepare } = spec;
  if (!prepare) return entity;
  const base = createDefaultProcessor(entity, 'callrail');
  return {
    ...entity,
    processor: {
      transform(raw) {
        if (raw !== null && typeof raw === 'object') prepare(raw);
        return base.transform(raw);
      },
      validate: (record, context) => base.validate(record, context),
    },
  };
}
