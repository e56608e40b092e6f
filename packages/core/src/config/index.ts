export { checkPluginCompatibility } from './compatibility.js';
export {
  describeMissingConfig,
  publicConfig,
  type ResolvedPluginConfig,
  resolvePluginConfig,
  secretValues,
} from './plugin-config.js';
export {
  acceptsText,
  EXCLUSIVE_FLAGS,
  expectedText,
  type FlagConflict,
  flagConflict,
  type OptionShape,
  REMOVED_FLAGS,
  removedFlagMessage,
  SYNC_FLAGS,
  type SyncFlag,
  type SyncFlagKey,
  syncFlag,
} from './sync-flags.js';
export {
  parsePluginOptions,
  parseSyncOptions,
  removedFlagError,
  shapeSchema,
  syncOptionsSchema,
} from './sync-options.js';
