export { type StartCall, type StartedSync, SyncService } from './sync-service.js';
export {
  findInstalled,
  type InstalledPlugin,
  NotConfiguredError,
  type ParseChecks,
  parseSyncRequest,
  type SyncInput,
  type SyncRequest,
  targetEntities,
} from './sync-request.js';
