import { RECORD_SYNC_STATUSES, type RecordSyncStatus } from '../../records/records-query.js';
import { builder } from './builder.js';

export type { RecordSyncStatus };

/** A record's status in two-way sync, from its local changes. */
export const RecordSyncStatusEnum = builder.enumType('RecordSyncStatus', {
  description:
    'synced: no local change waits (or none was made); pending: a change waits to be pushed; conflict: a change is held as a conflict; rejected: the CRM refused the newest change.',
  values: RECORD_SYNC_STATUSES,
});
