/** The one Agenda job type: a sync of one CRM entity, or `all`, on a schedule. */
export const SYNC_JOB = 'crmsync:sync';

export interface SyncJobData {
  crm: string;
  /** An entity name, or `all`. */
  entity: string;
  /** Raw sync flags and plugin options, as stored on the schedule. */
  options: Record<string, unknown>;
  /** The `sync_schedule` row this job mirrors; null for a one-off. */
  scheduleId: string | null;
}
