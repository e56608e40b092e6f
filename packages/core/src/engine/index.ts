export { classifyError, errorMessage } from './classify.js';
export { orderEntities } from './order.js';
export {
  canResume,
  DEFAULT_DELTA_OVERLAP_MS,
  planRun,
  type PlanInput,
  type RunPlan,
} from './plan.js';
export {
  checkSyncOptions,
  entitiesFor,
  type RunAllParams,
  type RunEntityParams,
  SyncEngine,
  type SyncEngineOptions,
} from './sync-engine.js';
