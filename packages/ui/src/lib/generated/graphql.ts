/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** pending → pushing → synced; or held as a conflict; or rejected by the CRM. */
export type ChangeState =
  | 'conflict'
  | 'pending'
  | 'pushing'
  | 'rejected'
  | 'synced';

/** Which side a resolution keeps. */
export type ConflictSide =
  | 'local'
  | 'remote';

export type CreateScheduleInput = {
  crm: string;
  cron?: string | null | undefined;
  enabled?: boolean | null | undefined;
  /** An entity name, or `all`. */
  entity: string;
  /** e.g. "15 minutes"; exactly one of interval and cron. */
  interval?: string | null | undefined;
  /** Sync options for each run. */
  options?: unknown;
};

export type MassUpdateInput = {
  crm: string;
  entity: string;
  /** These records … */
  ids?: Array<string> | null | undefined;
  /** Field → value to set on every record. */
  set: unknown;
  /** … or the stored records matching every filter. */
  where?: Array<RecordFilter> | null | undefined;
};

/** A condition on one field of the entity’s schema. Numbers compare as numbers. */
export type RecordFilter = {
  field: string;
  op?: RecordFilterOp;
  value?: string | null | undefined;
};

export type RecordFilterOp =
  | 'CONTAINS'
  | 'EQUALS'
  | 'GT'
  | 'GTE'
  | 'IS_EMPTY'
  | 'IS_NOT_EMPTY'
  | 'LT'
  | 'LTE'
  | 'NOT_EQUALS';

export type RecordSort = {
  direction?: SortDirection;
  /** externalId, lastSyncedAt, remoteUpdatedAt or a field of the entity’s schema. */
  field: string;
};

/** synced: no local change waits (or none was made); pending: a change waits to be pushed; conflict: a change is held as a conflict; rejected: the CRM refused the newest change. */
export type RecordSyncStatus =
  | 'conflict'
  | 'pending'
  | 'rejected'
  | 'synced';

export type RunFilter = {
  crm?: string | null | undefined;
  entity?: string | null | undefined;
  /** Inclusive. */
  startedAfter?: string | null | undefined;
  /** Exclusive. */
  startedBefore?: string | null | undefined;
  status?: RunStatus | null | undefined;
};

/** Exactly the four statuses of sync_history. */
export type RunStatus =
  | 'failed'
  | 'partial'
  | 'running'
  | 'success';

export type SortDirection =
  | 'ASC'
  | 'DESC';

/** The `crmsync sync` command as input: every universal flag plus the plugin’s options. */
export type StartSyncInput = {
  /** page size asked of the CRM (1-10000) (--batch-size) */
  batchSize?: number | null | undefined;
  crm: string;
  /** verbose logs (--debug) */
  debug?: boolean | null | undefined;
  /** run everything but write no record (--dry-run) */
  dryRun?: boolean | null | undefined;
  /** YYYY-MM-DD: read changes up to and including this day (--end-date) */
  endDate?: string | null | undefined;
  /** An entity name, or `all`. */
  entity: string;
  /** read everything and overwrite (--force) */
  force?: boolean | null | undefined;
  /** read everything; keep local rows whose remote timestamp is newer (--full) */
  full?: boolean | null | undefined;
  /** stop cleanly after n records (--max-records) */
  maxRecords?: number | null | undefined;
  /** The plugin’s own options by name (see Crm.options). */
  pluginOptions?: unknown;
  /** do not validate records (--skip-validation) */
  skipValidation?: boolean | null | undefined;
  /** YYYY-MM-DD: read changes from this day on (manual window) (--start-date) */
  startDate?: string | null | undefined;
  /** a record with an invalid field fails (default: warn and keep it) (--strict-validation) */
  strictValidation?: boolean | null | undefined;
};

export type UpdateRecordInput = {
  crm: string;
  entity: string;
  /** The record’s id at the CRM. */
  id: string;
  /** false: only record the change. */
  push?: boolean | null | undefined;
  /** Field → value, with the CRM’s field names. */
  values: unknown;
};

export type UpdateScheduleInput = {
  cron?: string | null | undefined;
  enabled?: boolean | null | undefined;
  interval?: string | null | undefined;
  options?: unknown;
};

export type RunRowFragment = { id: string, crmSource: string, syncType: string, status: RunStatus, mode: string, trigger: string, dryRun: boolean, startTime: string, endTime: string | null, durationSeconds: number | null, recordsProcessed: number, recordsCreated: number, recordsUpdated: number, recordsFailed: number, errorMessage: string | null, errorKind: string | null };

export type CrmsQueryVariables = Exact<{ [key: string]: never; }>;


export type CrmsQuery = { crms: Array<{ name: string, displayName: string, kind: string, configured: boolean, entities: Array<{ name: string, displayName: string }> }> };

export type OverviewQueryVariables = Exact<{ [key: string]: never; }>;


export type OverviewQuery = { overview: { activeRuns: number, succeededLast24h: number, failedLast24h: number, partialLast24h: number, cancelledLast24h: number, successRate: number | null, at: string }, crmStatus: Array<{ crm: string, displayName: string, configured: boolean, status: RunStatus | null, lastSyncAt: string | null, recordsProcessed: number | null, recordsCreated: number | null, recordsUpdated: number | null, durationSeconds: number | null, nextScheduledRun: string | null, lastRun: { id: string, errorKind: string | null, errorMessage: string | null } | null }>, recentRuns: Array<{ id: string, crmSource: string, syncType: string, status: RunStatus, mode: string, trigger: string, dryRun: boolean, startTime: string, endTime: string | null, durationSeconds: number | null, recordsProcessed: number, recordsCreated: number, recordsUpdated: number, recordsFailed: number, errorMessage: string | null, errorKind: string | null }> };

export type OverviewChartsQueryVariables = Exact<{ [key: string]: never; }>;


export type OverviewChartsQuery = { charts: { durationTrend: Array<{ day: string, value: number | null }>, successRateTrend: Array<{ day: string, value: number | null }>, recordsByCrm: Array<{ crm: string, value: number }>, runsByCrm: Array<{ crm: string, value: number }> } };

export type OverviewErrorsQueryVariables = Exact<{ [key: string]: never; }>;


export type OverviewErrorsQuery = { errorAnalysis: { failureGroups: Array<{ crm: string, kind: string, message: string, count: number, firstSeen: string, lastSeen: string, lastRunId: string }>, byKind: Array<{ kind: string, count: number }>, failureRateByCrm: Array<{ crm: string, runs: number, failed: number, succeeded: number, cancelled: number, failureRate: number, successRate: number | null }> }, schedules: { edges: Array<{ node: { id: string, crmSource: string, enabled: boolean, pausedReason: string | null } }> } };

export type OverviewHealthQueryVariables = Exact<{ [key: string]: never; }>;


export type OverviewHealthQuery = { systemHealth: { database: { provider: string, reachable: boolean, latencyMs: number | null, message: string | null, checkedAt: string }, scheduler: { running: boolean, message: string | null, workers: Array<{ id: string, lastSeenAt: string | null, activeJobs: number }> }, eventBus: { kind: string, reachable: boolean, latencyMs: number | null, message: string | null, checkedAt: string | null, ageSeconds: number | null }, crms: Array<{ crm: string, configured: boolean, reachable: boolean | null, latencyMs: number | null, message: string | null, checkedAt: string | null, ageSeconds: number | null }> } };

export type CrmPageQueryVariables = Exact<{
  name: string;
}>;


export type CrmPageQuery = { crm: { name: string, displayName: string, kind: string, description: string | null, configured: boolean, configFields: Array<{ name: string, env: string, required: boolean, secret: boolean, description: string }>, options: Array<{ name: string, type: string, description: string, default: unknown, choices: Array<string> | null, min: number | null, max: number | null }>, entities: Array<{ name: string, displayName: string, description: string | null, deltaKind: string, dependsOn: Array<string>, recordCount: number, status: RunStatus | null, lastRun: { id: string, status: RunStatus, errorKind: string | null, startTime: string, endTime: string | null, recordsProcessed: number, durationSeconds: number | null } | null }> } | null };

export type EntitySearchQueryVariables = Exact<{
  crm: string;
  entity: string;
  search?: string | null | undefined;
}>;


export type EntitySearchQuery = { records: { totalCount: number } };

export type RecordsQueryVariables = Exact<{
  crm: string;
  entity: string;
  search?: string | null | undefined;
  filters?: Array<RecordFilter> | RecordFilter | null | undefined;
  sort?: RecordSort | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  syncStatus?: RecordSyncStatus | null | undefined;
}>;


export type RecordsQuery = { entity: { name: string, displayName: string, primaryKey: string, recordCount: number, writable: boolean } | null, records: { totalCount: number, columns: Array<{ name: string, type: string, required: boolean, indexed: boolean }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { externalId: string, lastSyncedAt: string, deletedAt: string | null, fields: Array<{ name: string, type: string, value: unknown }>, sync: { status: RecordSyncStatus, reason: string | null } } }> } };

export type RunsQueryVariables = Exact<{
  filter?: RunFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type RunsQuery = { runs: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, crmSource: string, syncType: string, status: RunStatus, mode: string, trigger: string, dryRun: boolean, startTime: string, endTime: string | null, durationSeconds: number | null, recordsProcessed: number, recordsCreated: number, recordsUpdated: number, recordsFailed: number, errorMessage: string | null, errorKind: string | null } }> } };

export type RunQueryVariables = Exact<{
  id: string | number;
}>;


export type RunQuery = { run: { endpoint: string | null, recordsUnchanged: number, recordsDeleted: number, sinceTime: string | null, highWaterMark: string | null, resumedFromRunId: string | null, workerId: string | null, heartbeatAt: string | null, configuration: unknown, performanceMetrics: unknown, estimatedTotal: number | null, id: string, crmSource: string, syncType: string, status: RunStatus, mode: string, trigger: string, dryRun: boolean, startTime: string, endTime: string | null, durationSeconds: number | null, recordsProcessed: number, recordsCreated: number, recordsUpdated: number, recordsFailed: number, errorMessage: string | null, errorKind: string | null, events: { edges: Array<{ node: { id: string, at: string, level: string, message: string, recordId: string | null } }> } } | null };

export type RunProgressSubscriptionVariables = Exact<{
  runId?: string | number | null | undefined;
  crm?: string | null | undefined;
}>;


export type RunProgressSubscription = { runProgress: { runId: string, crmSource: string, syncType: string, recordsProcessed: number, recordsCreated: number, recordsUpdated: number, recordsUnchanged: number, recordsFailed: number, estimatedTotal: number | null, recordsPerSecond: number, pages: number, at: string } };

export type RunEventsSubscriptionVariables = Exact<{
  runId?: string | number | null | undefined;
}>;


export type RunEventsSubscription = { runEvents: { runId: string, at: string, level: string, message: string, recordId: string | null } };

export type RunFinishedSubscriptionVariables = Exact<{
  runId?: string | number | null | undefined;
  crm?: string | null | undefined;
}>;


export type RunFinishedSubscription = { runFinished: { runId: string, status: RunStatus, crmSource: string, syncType: string, at: string } };

export type RunStartedSubscriptionVariables = Exact<{
  crm?: string | null | undefined;
}>;


export type RunStartedSubscription = { runStarted: { runId: string, status: RunStatus, crmSource: string, syncType: string, at: string } };

export type StartSyncMutationVariables = Exact<{
  input: StartSyncInput;
}>;


export type StartSyncMutation = { startSync:
    | { __typename: 'FieldError', field: string, expected: string | null, message: string }
    | { __typename: 'MutationStartSyncSuccess', data: { runId: string, crm: string, entity: string } }
    | { __typename: 'SyncAlreadyRunning', runId: string, message: string }
   };

export type CancelSyncMutationVariables = Exact<{
  runId: string | number;
}>;


export type CancelSyncMutation = { cancelSync:
    | { __typename: 'FieldError', message: string }
    | { __typename: 'MutationCancelSyncSuccess' }
    | { __typename: 'NotFound', message: string }
   };

export type ScheduleFieldsFragment = { id: string, crmSource: string, syncType: string, interval: string | null, cron: string | null, enabled: boolean, pausedReason: string | null, nextRun: string | null, lastRunId: string | null, options: unknown, updatedAt: string };

export type SchedulesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SchedulesQuery = { schedules: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, crmSource: string, syncType: string, interval: string | null, cron: string | null, enabled: boolean, pausedReason: string | null, nextRun: string | null, lastRunId: string | null, options: unknown, updatedAt: string } }> } };

export type CreateScheduleMutationVariables = Exact<{
  input: CreateScheduleInput;
}>;


export type CreateScheduleMutation = { createSchedule:
    | { __typename: 'FieldError', message: string, field: string, expected: string | null }
    | { __typename: 'MutationCreateScheduleSuccess' }
    | { __typename: 'NotFound', message: string }
   };

export type UpdateScheduleMutationVariables = Exact<{
  id: string | number;
  input: UpdateScheduleInput;
}>;


export type UpdateScheduleMutation = { updateSchedule:
    | { __typename: 'FieldError', message: string, field: string, expected: string | null }
    | { __typename: 'MutationUpdateScheduleSuccess' }
    | { __typename: 'NotFound', message: string }
   };

export type PauseScheduleMutationVariables = Exact<{
  id: string | number;
}>;


export type PauseScheduleMutation = { pauseSchedule:
    | { __typename: 'FieldError', message: string, field: string, expected: string | null }
    | { __typename: 'MutationPauseScheduleSuccess' }
    | { __typename: 'NotFound', message: string }
   };

export type ResumeScheduleMutationVariables = Exact<{
  id: string | number;
}>;


export type ResumeScheduleMutation = { resumeSchedule:
    | { __typename: 'FieldError', message: string, field: string, expected: string | null }
    | { __typename: 'MutationResumeScheduleSuccess' }
    | { __typename: 'NotFound', message: string }
   };

export type DeleteScheduleMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteScheduleMutation = { deleteSchedule:
    | { __typename: 'FieldError', message: string, field: string, expected: string | null }
    | { __typename: 'MutationDeleteScheduleSuccess' }
    | { __typename: 'NotFound', message: string }
   };

export type WritableFieldsQueryVariables = Exact<{
  crm: string;
  entity: string;
}>;


export type WritableFieldsQuery = { entity: { writable: boolean, writableFields: Array<{ name: string, type: string, options: Array<string> | null, maxLength: number | null, label: string | null }> } | null };

export type UpdateRecordMutationVariables = Exact<{
  input: UpdateRecordInput;
}>;


export type UpdateRecordMutation = { updateRecord:
    | { __typename: 'FieldError', field: string, expected: string | null, message: string }
    | { __typename: 'MutationUpdateRecordSuccess', data: { change: { id: string, state: ChangeState, reason: string | null, fields: unknown }, push: { status: string, written: number, unchanged: number, conflicts: number, rejected: number, errorMessage: string | null, runId: string } | null } }
   };

export type ConflictsQueryVariables = Exact<{
  crm?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ConflictsQuery = { conflicts: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, crm: string, entity: string, recordId: string, localModifiedAt: string, remoteModifiedAt: string | null, createdAt: string, fields: Array<{ field: string, base: unknown, local: unknown, remote: unknown }> } }> } };

export type ResolveConflictMutationVariables = Exact<{
  id: string | number;
  keep: ConflictSide;
}>;


export type ResolveConflictMutation = { resolveConflict:
    | { __typename: 'FieldError', field: string, expected: string | null, message: string }
    | { __typename: 'MutationResolveConflictSuccess', data: { conflict: { id: string, resolution: string | null }, change: { state: ChangeState, reason: string | null }, push: { status: string, written: number, conflicts: number, rejected: number, errorMessage: string | null } | null } }
    | { __typename: 'NotFound', message: string }
   };

export type MassUpdateMutationVariables = Exact<{
  input: MassUpdateInput;
}>;


export type MassUpdateMutation = { massUpdate:
    | { __typename: 'FieldError', field: string, expected: string | null, message: string }
    | { __typename: 'MutationMassUpdateSuccess', data: { runId: string, total: number } }
   };

export type CancelMassUpdateMutationVariables = Exact<{
  runId: string | number;
}>;


export type CancelMassUpdateMutation = { cancelMassUpdate: boolean };

export type MassUpdateProgressSubscriptionVariables = Exact<{
  runId?: string | number | null | undefined;
  crm?: string | null | undefined;
}>;


export type MassUpdateProgressSubscription = { massUpdateProgress: { runId: string, total: number, processed: number, written: number, unchanged: number, conflicts: number, rejected: number, at: string } };

export type PushProgressSubscriptionVariables = Exact<{
  crm?: string | null | undefined;
}>;


export type PushProgressSubscription = { pushProgress: { runId: string, crm: string, entity: string, total: number, processed: number, conflicts: number } };

export type PushChangesMutationVariables = Exact<{
  crm: string;
  entity?: string | null | undefined;
}>;


export type PushChangesMutation = { pushChanges:
    | { __typename: 'FieldError', field: string, expected: string | null, message: string }
    | { __typename: 'MutationPushChangesSuccess', data: Array<{ status: string, written: number, unchanged: number, conflicts: number, rejected: number }> }
   };

export type CrmWebhooksQueryVariables = Exact<{
  name: string;
}>;


export type CrmWebhooksQuery = { crm: { name: string, webhooks: { endpoint: string | null, secretEnv: string, lastEventAt: string | null, eventsToday: number, pendingEvents: number, retryingEvents: number, processingFailuresToday: number, lastProcessingError: string | null, verificationFailures: number | null, lastVerificationFailureAt: string | null, lastVerificationFailureReason: string | null, runs: Array<{ id: string, crmSource: string, syncType: string, status: RunStatus, mode: string, trigger: string, dryRun: boolean, startTime: string, endTime: string | null, durationSeconds: number | null, recordsProcessed: number, recordsCreated: number, recordsUpdated: number, recordsFailed: number, errorMessage: string | null, errorKind: string | null }> } | null } | null };
