export { MAX_EVENTS_PER_RUN, MemoryStore } from './memory-store.js';
export {
  assertWritable,
  planUpsert,
  recordJson,
  type StoredRecordState,
  type UpsertPlan,
} from './upsert-plan.js';
export { alreadyRunning, newRun } from './new-run.js';
export { mergeIntoChange, newChangeId, OPEN_CHANGE_STATES, recordKey } from './change-merge.js';
export { MemoryLocalChanges } from './memory-local-changes.js';
