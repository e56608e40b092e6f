export { checkPluginCompatibility } from './compatibility.js';
export {
  describeMissingConfig,
  publicConfig,
  type ResolvedPluginConfig,
  resolvePluginConfig,
  secretValues,
} from './plugin-config.js';
export {
  parsePluginOptions,
  parseSyncOptions,
  REMOVED_FLAGS,
  removedFlagMessage,
} from './sync-options.js';
