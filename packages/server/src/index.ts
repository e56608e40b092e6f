export * from './api/index.js';
export {
  type CreateCrmsyncOptions,
  type Crmsync,
  createCrmsync,
  databaseUrlFor,
  type PluginSummary,
  type SyncCallOptions,
} from './app.js';
export { type BuildProgramOptions, buildProgram, type CliProgram } from './cli/program.js';
export type { CliIO } from './cli/output.js';
export { EXIT } from './cli/exit-codes.js';
export {
  CONFIG_FILES,
  type CrmsyncConfigFile,
  type LoadedConfig,
  loadConfigFile,
} from './config/config-file.js';
export { createDashboardHandler, findDashboardDir } from './dashboard/index.js';
export { type DiscoveredPlugin, discoverPlugins } from './discovery/discover.js';
export * from './store/index.js';
export * from './scheduler/index.js';
export * from './syncs/index.js';
export { useProgressBar } from './cli/progress.js';
