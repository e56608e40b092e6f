import type {
  FinishRunInput,
  RunCounts,
  RunProgressUpdate,
  RunQuery,
  SyncEventInput,
  SyncRun,
} from '@crmsync/core';
import { type ColumnCodec, insertRun, runFromRow, SELECT_RUN } from './run-row.js';

/** A statement and its values, in one database's placeholders and value formats. */
export interface Statement {
  sql: string;
  values: unknown[];
}

type Assignments = Array<[column: string, value: unknown]>;

const countAssignments = (counts: RunCounts): Assignments => [
  ['records_processed', counts.processed],
  ['records_created', counts.created],
  ['records_updated', counts.updated],
  ['records_unchanged', counts.unchanged],
  ['records_deleted', counts.deleted],
  ['records_failed', counts.failed],
];

/**
 * The run bookkeeping a sync does through the driver (see RecordTable), written once for both
 * databases: `codec` carries the value formats, `param(n)` the n-th (1-based) placeholder.
 */
export function runStatements(codec: ColumnCodec, param: (n: number) => string) {
  const json = (value: unknown) =>
    value === null || value === undefined ? null : codec.json(value);
  const time = (value: Date | null) => (value === null ? null : codec.time(value));
  /** The resume point and high-water mark, when the update names them. */
  const position = (input: { checkpoint?: unknown; highWaterMark?: Date | null }) => {
    const set: Assignments = [];
    if (input.checkpoint !== undefined) set.push(['checkpoint', json(input.checkpoint)]);
    if (input.highWaterMark !== undefined) set.push(['high_water_mark', time(input.highWaterMark)]);
    return set;
  };
  /** An UPDATE of a run that is still running: it changes nothing once the run has finished. */
  const updateRunning = (runId: string, set: Assignments): Statement => ({
    sql: `UPDATE sync_history SET ${set.map(([column], i) => `${column} = ${param(i + 1)}`).join(', ')}
      WHERE id = ${param(set.length + 1)} AND status = 'running'`,
    values: [...set.map(([, value]) => value), runId],
  });

  return {
    insert: (run: SyncRun): Statement => insertRun(run, codec, param),
    progress: (runId: string, update: RunProgressUpdate): Statement =>
      updateRunning(runId, [
        ...countAssignments(update.counts),
        ['heartbeat_at', codec.time(update.heartbeatAt)],
        ...position(update),
      ]),
    finish: (runId: string, input: FinishRunInput): Statement =>
      updateRunning(runId, [
        ['status', input.status],
        ['end_time', codec.time(input.endTime ?? new Date())],
        ...countAssignments(input.counts),
        ['error_message', input.errorMessage ?? null],
        ['error_kind', input.errorKind ?? null],
        ['performance_metrics', json(input.performanceMetrics)],
        ...position(input),
      ]),
    byId: (runId: string): Statement => ({
      sql: `${SELECT_RUN} WHERE id = ${param(1)}`,
      values: [runId],
    }),
    /** The newest run of a CRM's entity that was not a dry run; with `succeeded`, a success or partial one. */
    newest: (crmSource: string, syncType: string, succeeded: boolean): Statement => ({
      sql: `${SELECT_RUN} WHERE crm_source = ${param(1)} AND sync_type = ${param(2)}
        AND dry_run = ${param(3)} ${succeeded ? "AND status IN ('success', 'partial')" : ''}
        ORDER BY start_time DESC, id DESC LIMIT 1`,
      values: [crmSource, syncType, codec.bool(false)],
    }),
    /** Runs newest first (start time, then id) as `RunQuery` filters them; dry runs included. */
    list: (query: RunQuery): Statement => {
      const where: string[] = [];
      const values: unknown[] = [];
      const add = (condition: (p: string) => string, value: unknown) => {
        values.push(value);
        where.push(condition(param(values.length)));
      };
      if (query.crmSource !== undefined) add((p) => `crm_source = ${p}`, query.crmSource);
      if (query.syncType !== undefined) add((p) => `sync_type = ${p}`, query.syncType);
      if (query.status !== undefined) add((p) => `status = ${p}`, query.status);
      if (query.startedAfter) add((p) => `start_time > ${p}`, codec.time(query.startedAfter));
      if (query.startedBefore) add((p) => `start_time < ${p}`, codec.time(query.startedBefore));
      let sql = `${SELECT_RUN}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
        ORDER BY start_time DESC, id DESC`;
      if (query.limit !== undefined) {
        values.push(query.limit);
        sql += ` LIMIT ${param(values.length)}`;
      }
      return { sql, values };
    },
    /** Every running run, newest first (served by the (status, start_time) index). */
    allRunning: (): Statement => ({
      sql: `${SELECT_RUN} WHERE status = 'running' ORDER BY start_time DESC, id DESC`,
      values: [],
    }),
    /**
     * An entity's live records, as all its rows minus its soft-deleted ones: both counts come
     * from indexes alone (see countLiveRecords), in one statement, so from one snapshot.
     */
    countLive: (crmSource: string, entity: string): Statement => ({
      sql: `SELECT (SELECT count(*) FROM crm_record WHERE crm_source = ${param(1)} AND entity = ${param(2)})
        - (SELECT count(*) FROM crm_record WHERE crm_source = ${param(3)} AND entity = ${param(4)}
           AND deleted_at IS NOT NULL) AS n`,
      values: [crmSource, entity, crmSource, entity],
    }),
    /** The running, non-dry run of a CRM's entity: the one `sync_history_running_idx` allows. */
    running: (crmSource: string, syncType: string): Statement => ({
      sql: `${SELECT_RUN} WHERE crm_source = ${param(1)} AND sync_type = ${param(2)}
        AND status = 'running' AND dry_run = ${param(3)} LIMIT 1`,
      values: [crmSource, syncType, codec.bool(false)],
    }),
    /** DELETE of a run's oldest log lines beyond the newest `keep`. */
    capEvents: (runId: string, keep: number): Statement => ({
      sql: `DELETE FROM sync_event WHERE run_id = ${param(1)} AND id <= (SELECT id FROM sync_event
        WHERE run_id = ${param(2)} ORDER BY id DESC LIMIT 1 OFFSET ${param(3)})`,
      values: [runId, runId, keep],
    }),
    /** A log line's `run_id, at, level, message, record_id, details`; `at` defaults to `now`. */
    eventValues: (event: SyncEventInput, now: Date): unknown[] => [
      event.runId,
      codec.time(event.at ?? now),
      event.level,
      event.message,
      event.recordId ?? null,
      json(event.details),
    ],
    read: (row: Record<string, unknown>): SyncRun => runFromRow(row, codec),
  };
}
