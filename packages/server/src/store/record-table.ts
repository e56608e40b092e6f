import type { RecordWrite, UpsertOptions, UpsertResult } from '@crmsync/core';

/**
 * The `crm_record` hot path in the database's own SQL: the store's bulk upsert and soft
 * deletes go through the driver directly (one SELECT, then multi-row upserts of new and
 * changed rows only, in one transaction), not through Prisma's per-row queries.
 */
export interface RecordTable {
  upsert(
    crmSource: string,
    entity: string,
    records: RecordWrite[],
    options: UpsertOptions,
  ): Promise<UpsertResult>;
  softDelete(
    crmSource: string,
    entity: string,
    externalIds: string[],
    runId: string,
    now: Date,
  ): Promise<number>;
  softDeleteMissing(
    crmSource: string,
    entity: string,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date,
  ): Promise<number>;
  close(): Promise<void>;
}
