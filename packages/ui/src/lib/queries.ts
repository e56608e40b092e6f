// Every GraphQL operation the dashboard sends, in one place. The browser tests validate
// each of them against the server's committed schema (packages/server/schema.graphql).

const RUN_ROW = /* GraphQL */ `
  fragment RunRow on Run {
    id
    crmSource
    syncType
    status
    mode
    trigger
    dryRun
    startTime
    endTime
    durationSeconds
    recordsProcessed
    recordsCreated
    recordsUpdated
    recordsFailed
    errorMessage
    errorKind
  }
`;

export const CRMS = /* GraphQL */ `
  query Crms {
    crms {
      name
      displayName
      kind
      configured
      entities { name displayName }
    }
  }
`;

export const OVERVIEW = /* GraphQL */ `
  query Overview {
    overview { activeRuns succeededLast24h failedLast24h partialLast24h cancelledLast24h successRate at }
    crmStatus {
      crm
      displayName
      configured
      status
      lastSyncAt
      recordsProcessed
      recordsCreated
      recordsUpdated
      durationSeconds
      nextScheduledRun
      lastRun { id errorKind errorMessage }
    }
    recentRuns(limit: 20) { ...RunRow }
  }
  ${RUN_ROW}
`;

// The overview's other parts load on their own, so no part waits for another.
export const OVERVIEW_CHARTS = /* GraphQL */ `
  query OverviewCharts {
    charts(days: 7) {
      durationTrend { day value }
      successRateTrend { day value }
      recordsByCrm { crm value }
      runsByCrm { crm value }
    }
  }
`;

export const OVERVIEW_ERRORS = /* GraphQL */ `
  query OverviewErrors {
    errorAnalysis(days: 7) {
      failureGroups { crm kind message count firstSeen lastSeen lastRunId }
      byKind { kind count }
      failureRateByCrm { crm runs failed succeeded cancelled failureRate successRate }
    }
    schedules(first: 100) { edges { node { id crmSource enabled pausedReason } } }
  }
`;

export const OVERVIEW_HEALTH = /* GraphQL */ `
  query OverviewHealth {
    systemHealth {
      database { provider reachable latencyMs message checkedAt }
      scheduler { running message workers { id lastSeenAt activeJobs } }
      eventBus { kind reachable latencyMs message checkedAt ageSeconds }
      crms { crm configured reachable latencyMs message checkedAt ageSeconds }
    }
  }
`;

export const CRM_PAGE = /* GraphQL */ `
  query CrmPage($name: String!) {
    crm(name: $name) {
      name
      displayName
      kind
      description
      configured
      configFields { name env required secret description }
      options { name type description default choices min max }
      entities {
        name
        displayName
        description
        deltaKind
        dependsOn
        recordCount
        status
        lastRun { id status errorKind startTime endTime recordsProcessed durationSeconds }
      }
    }
  }
`;

export const ENTITY_SEARCH = /* GraphQL */ `
  query EntitySearch($crm: String!, $entity: String!, $search: String) {
    records(crm: $crm, entity: $entity, search: $search, first: 1) { totalCount }
  }
`;

export const RECORDS = /* GraphQL */ `
  query Records(
    $crm: String!
    $entity: String!
    $search: String
    $filters: [RecordFilter!]
    $sort: RecordSort
    $first: Int
    $after: String
    $last: Int
    $before: String
    $syncStatus: RecordSyncStatus
  ) {
    entity(crm: $crm, name: $entity) { name displayName primaryKey recordCount writable }
    records(
      crm: $crm
      entity: $entity
      search: $search
      filters: $filters
      sort: $sort
      first: $first
      after: $after
      last: $last
      before: $before
      syncStatus: $syncStatus
    ) {
      totalCount
      columns { name type required indexed }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        cursor
        node { externalId lastSyncedAt deletedAt fields { name type value } sync { status reason } }
      }
    }
  }
`;

export const RUNS = /* GraphQL */ `
  query Runs($filter: RunFilter, $first: Int, $after: String, $last: Int, $before: String) {
    runs(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ...RunRow } }
    }
  }
  ${RUN_ROW}
`;

export const RUN = /* GraphQL */ `
  query Run($id: ID!) {
    run(id: $id) {
      ...RunRow
      endpoint
      recordsUnchanged
      recordsDeleted
      sinceTime
      highWaterMark
      resumedFromRunId
      workerId
      heartbeatAt
      configuration
      performanceMetrics
      estimatedTotal
      events(first: 100) { edges { node { id at level message recordId } } }
    }
  }
  ${RUN_ROW}
`;

export const RUN_PROGRESS = /* GraphQL */ `
  subscription RunProgress($runId: ID, $crm: String) {
    runProgress(runId: $runId, crm: $crm) {
      runId
      crmSource
      syncType
      recordsProcessed
      recordsCreated
      recordsUpdated
      recordsUnchanged
      recordsFailed
      estimatedTotal
      recordsPerSecond
      pages
      at
    }
  }
`;

export const RUN_EVENTS = /* GraphQL */ `
  subscription RunEvents($runId: ID) {
    runEvents(runId: $runId) { runId at level message recordId }
  }
`;

export const RUN_FINISHED = /* GraphQL */ `
  subscription RunFinished($runId: ID, $crm: String) {
    runFinished(runId: $runId, crm: $crm) { runId status crmSource syncType at }
  }
`;

export const RUN_STARTED = /* GraphQL */ `
  subscription RunStarted($crm: String) {
    runStarted(crm: $crm) { runId status crmSource syncType at }
  }
`;

export const START_SYNC = /* GraphQL */ `
  mutation StartSync($input: StartSyncInput!) {
    startSync(input: $input) {
      __typename
      ... on MutationStartSyncSuccess { data { runId crm entity } }
      ... on FieldError { field expected message }
      ... on SyncAlreadyRunning { runId message }
    }
  }
`;

export const CANCEL_SYNC = /* GraphQL */ `
  mutation CancelSync($runId: ID!) {
    cancelSync(runId: $runId) {
      __typename
      ... on Error { message }
    }
  }
`;

const SCHEDULE_FIELDS = /* GraphQL */ `
  fragment ScheduleFields on Schedule {
    id
    crmSource
    syncType
    interval
    cron
    enabled
    pausedReason
    nextRun
    lastRunId
    options
    updatedAt
  }
`;

export const SCHEDULES = /* GraphQL */ `
  query Schedules($first: Int, $after: String) {
    schedules(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { ...ScheduleFields } }
    }
  }
  ${SCHEDULE_FIELDS}
`;

// Each mutation's result is a union of its own, so the selection is written out in each one
// (a fragment names one type) and codegen types every result.
export const CREATE_SCHEDULE = /* GraphQL */ `
  mutation CreateSchedule($input: CreateScheduleInput!) {
    createSchedule(input: $input) {
      __typename
      ... on Error { message }
      ... on FieldError { field expected }
    }
  }
`;

export const UPDATE_SCHEDULE = /* GraphQL */ `
  mutation UpdateSchedule($id: ID!, $input: UpdateScheduleInput!) {
    updateSchedule(id: $id, input: $input) {
      __typename
      ... on Error { message }
      ... on FieldError { field expected }
    }
  }
`;

export const PAUSE_SCHEDULE = /* GraphQL */ `
  mutation PauseSchedule($id: ID!) {
    pauseSchedule(id: $id, reason: "paused from the dashboard") {
      __typename
      ... on Error { message }
      ... on FieldError { field expected }
    }
  }
`;

export const RESUME_SCHEDULE = /* GraphQL */ `
  mutation ResumeSchedule($id: ID!) {
    resumeSchedule(id: $id) {
      __typename
      ... on Error { message }
      ... on FieldError { field expected }
    }
  }
`;

export const DELETE_SCHEDULE = /* GraphQL */ `
  mutation DeleteSchedule($id: ID!) {
    deleteSchedule(id: $id) {
      __typename
      ... on Error { message }
      ... on FieldError { field expected }
    }
  }
`;

// Two-way sync (issue 23): inline edits, conflicts, mass updates.

export const WRITABLE_FIELDS = /* GraphQL */ `
  query WritableFields($crm: String!, $entity: String!) {
    entity(crm: $crm, name: $entity) {
      writable
      writableFields { name type options maxLength label }
    }
  }
`;

export const UPDATE_RECORD = /* GraphQL */ `
  mutation UpdateRecord($input: UpdateRecordInput!) {
    updateRecord(input: $input) {
      __typename
      ... on FieldError { field expected message }
      ... on MutationUpdateRecordSuccess {
        data {
          change { id state reason fields }
          push { status written unchanged conflicts rejected errorMessage runId }
        }
      }
    }
  }
`;

export const CONFLICTS = /* GraphQL */ `
  query Conflicts($crm: String, $first: Int, $after: String) {
    conflicts(crm: $crm, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          crm
          entity
          recordId
          fields { field base local remote }
          localModifiedAt
          remoteModifiedAt
          createdAt
        }
      }
    }
  }
`;

export const RESOLVE_CONFLICT = /* GraphQL */ `
  mutation ResolveConflict($id: ID!, $keep: ConflictSide!) {
    resolveConflict(id: $id, keep: $keep) {
      __typename
      ... on FieldError { field expected message }
      ... on NotFound { message }
      ... on MutationResolveConflictSuccess {
        data {
          conflict { id resolution }
          change { state reason }
          push { status written conflicts rejected errorMessage }
        }
      }
    }
  }
`;

export const MASS_UPDATE = /* GraphQL */ `
  mutation MassUpdate($input: MassUpdateInput!) {
    massUpdate(input: $input) {
      __typename
      ... on FieldError { field expected message }
      ... on MutationMassUpdateSuccess { data { runId total } }
    }
  }
`;

export const CANCEL_MASS_UPDATE = /* GraphQL */ `
  mutation CancelMassUpdate($runId: ID!) {
    cancelMassUpdate(runId: $runId)
  }
`;

export const MASS_UPDATE_PROGRESS = /* GraphQL */ `
  subscription MassUpdateProgress($runId: ID, $crm: String) {
    massUpdateProgress(runId: $runId, crm: $crm) {
      runId
      total
      processed
      written
      unchanged
      conflicts
      rejected
      at
    }
  }
`;

export const PUSH_PROGRESS = /* GraphQL */ `
  subscription PushProgress($crm: String) {
    pushProgress(crm: $crm) { runId crm entity total processed conflicts }
  }
`;

export const PUSH_CHANGES = /* GraphQL */ `
  mutation PushChanges($crm: String!, $entity: String) {
    pushChanges(crm: $crm, entity: $entity) {
      __typename
      ... on FieldError { field expected message }
      ... on MutationPushChangesSuccess { data { status written unchanged conflicts rejected } }
    }
  }
`;

export const CRM_WEBHOOKS = /* GraphQL */ `
  query CrmWebhooks($name: String!) {
    crm(name: $name) {
      name
      webhooks {
        endpoint
        secretEnv
        lastEventAt
        eventsToday
        pendingEvents
        retryingEvents
        processingFailuresToday
        lastProcessingError
        verificationFailures
        lastVerificationFailureAt
        lastVerificationFailureReason
        runs(limit: 5) { ...RunRow }
      }
    }
  }
  ${RUN_ROW}
`;
