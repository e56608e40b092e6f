import type {
  CrmPlugin,
  EntityDefinition,
  HealthResult,
  RunEventListener,
  SyncOptions,
} from '@crmsync/core';
import type { PrismaClient } from '../store/index.js';
import type { DatabaseProvider } from '../store/index.js';

/** One installed plugin as the API sees it. Its resolved config stays server-side. */
export interface ApiPlugin {
  plugin: CrmPlugin;
  /** Every required credential of at least one group is set. */
  configured: boolean;
  /** The entities for this install (`configureEntities` applied when the plugin has it). */
  entities: EntityDefinition[];
  /** Pings the CRM with the configured credentials (`plugin.health` on a fresh client). */
  health?(signal: AbortSignal): Promise<HealthResult>;
}

/** What `startSync` asks the host to run, in-process. */
export interface SyncLaunch {
  crm: string;
  /** An entity name, or `all`. */
  entity: string;
  options: SyncOptions;
  signal: AbortSignal;
}

/** Scheduler state for `systemHealth`, provided by the scheduler when it runs in this process. */
export interface SchedulerHealth {
  running: boolean;
  message: string | null;
  workers: Array<{ id: string; lastSeenAt: Date | null; activeJobs: number }>;
}

/**
 * Everything the API needs from the host application (`createCrmsync`'s object, adapted by
 * `apiRuntimeFromApp`). Kept narrow so the API can be served on any host that has a store, the
 * plugins and an engine.
 */
export interface ApiRuntime {
  prisma: PrismaClient;
  provider: DatabaseProvider;
  /** Round-trip time of a trivial query, in ms. */
  ping(): Promise<number>;
  plugins: ApiPlugin[];
  /** Runs a sync in this process; resolves when it (or every run of `all`) is done. */
  runSync(launch: SyncLaunch): Promise<unknown>;
  /** The engine's run events (started, progress, log, finished). Returns the unsubscribe. */
  subscribe(listener: RunEventListener): () => void;
  /** Turns raw GraphQL options into the engine's typed options; throws core `InputError`. */
  parseOptions(
    plugin: CrmPlugin,
    raw: Record<string, unknown>,
    pluginOptions: Record<string, unknown>,
  ): SyncOptions;
  schedulerHealth?(): Promise<SchedulerHealth>;
  /** Every configured secret value (credentials): scrubbed from any response as a last guard. */
  secretValues(): string[];
}
