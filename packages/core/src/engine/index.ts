export { deadHolderReason, defaultWorkerId, reapInterrupted } from './holder.js';
export {
  classifyError,
  errorMessage,
  isAuthFailure,
  isCrmLevelFailure,
  isStoreFault,
} from './classify.js';
export { dispatchRunEvent, type SyncHook } from './hooks.js';
export { limitHeapGrowth, SYNC_HEAP_GROWING_PERCENT } from './heap.js';
export { orderEntities } from './order.js';
export {
  canResume,
  DEFAULT_DELTA_OVERLAP_MS,
  findDeltaBase,
  planRun,
  type PlanInput,
  type RunPlan,
  readEverythingUntilStart,
} from './plan.js';
export {
  checkSyncOptions,
  entitiesFor,
  type RunAllParams,
  type RunEntityParams,
  type RunParams,
  SyncEngine,
  type SyncEngineOptions,
} from './sync-engine.js';
export { DEFAULT_STORE_RETRY, type StoreRetry } from './sync-run.js';
export type { WebhookRunTargets } from './run-context.js';
export {
  type SlicedCheckpoint,
  slicedCheckpoint,
  slicedEntity,
  slicesOption,
  type TimeSlicing,
} from './sliced-read.js';
