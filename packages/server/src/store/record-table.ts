import type { RecordWrite, RunProgressUpdate, UpsertOptions, UpsertResult } from '@crmsync/core';

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
  /**
   * Saves a running run's counts, heartbeat, checkpoint and high-water mark (absent ones are
   * left as they are), in the columns and formats Prisma maps them to. Once per page, so it
   * goes through the driver too. False when the run is not running.
   */
  updateRunProgress(runId: string, update: RunProgressUpdate): Promise<boolean>;
  close(): Promise<void>;
}

/** The SET clause and values of a run-progress update, with `$n` or `?` placeholders. */
export function runProgressColumns(
  update: RunProgressUpdate,
  time: (date: Date) => unknown,
): { columns: string[]; values: unknown[] } {
  const { counts } = update;
  const columns = [
    'records_processed',
    'records_created',
    'records_updated',
    'records_unchanged',
    'records_deleted',
    'records_failed',
    'heartbeat_at',
  ];
  const values: unknown[] = [
    counts.processed,
    counts.created,
    counts.updated,
    counts.unchanged,
    counts.deleted,
    counts.failed,
    time(update.heartbeatAt),
  ];
  if (update.checkpoint !== undefined) {
    columns.push('checkpoint');
    values.push(update.checkpoint === null ? null : JSON.stringify(update.checkpoint));
  }
  if (update.highWaterMark !== undefined) {
    columns.push('high_water_mark');
    values.push(update.highWaterMark === null ? null : time(update.highWaterMark));
  }
  return { columns, values };
}
