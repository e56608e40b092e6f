export { MAX_EVENTS_PER_RUN, MemoryStore } from './memory-store.js';
export {
  assertWritable,
  newRun,
  planUpsert,
  recordJson,
  type StoredRecordState,
  type UpsertPlan,
} from './upsert-plan.js';
