import type { CrmPlugin, EntityDefinition, HealthResult, RunEventListener } from '@crmsync/core';
import type { PrismaClient } from '../store/index.js';
import type { SyncService } from '../syncs/index.js';
import type { WriteService } from '../writes/write-service.js';
import type { DatabaseProvider } from '../store/index.js';

/** One installed plugin as the API sees it. Its resolved config stays server-side. */
export interface ApiPlugin {
  plugin: CrmPlugin;
  /** Every required credential of at least one group is set. */
  configured: boolean;
  /** The entities for this install (`configureEntities` applied when the plugin has it). */
  entities: EntityDefinition[];
  /**
   * Pings the CRM with the configured credentials (`plugin.health` on a fresh client);
   * `onWarning` hears its client's warnings (a retry's reason, when the check then times out).
   */
  health?(signal: AbortSignal, onWarning?: (message: string) => void): Promise<HealthResult>;
}

/** Where the API's syncs start: the app's sync service (`parse` and `start`). */
export type ApiSyncs = Pick<SyncService, 'parse' | 'start'>;

/** Scheduler state for `systemHealth`, provided by the scheduler when it runs in this process. */
export interface SchedulerHealth {
  running: boolean;
  /**
   * Whether this process runs scheduled jobs itself (`crmsync start`, `crmsync worker`); false
   * when it only mirrors schedules to Agenda and workers elsewhere run them (`crmsync server`).
   */
  processesJobs?: boolean;
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
  /** Parses and starts syncs in this process, the same way the CLI and the scheduler do. */
  syncs: ApiSyncs;
  /** The engine's run events (started, progress, log, finished). Returns the unsubscribe. */
  subscribe(listener: RunEventListener): () => void;
  schedulerHealth?(): Promise<SchedulerHealth>;
  /** Two-way sync (local edits, pushes, conflicts, mass updates); absent on a read-only host. */
  writes?: WriteService;
  /** Every configured secret value (credentials): scrubbed from any response as a last guard. */
  secretValues(): string[];
  /** The webhook endpoint of this process, when on: its CRMs and refused deliveries. */
  webhookEndpoint?: WebhookEndpointInfo;
}

/** See `ApiRuntime.webhookEndpoint`. */
export interface WebhookEndpointInfo {
  crms: string[];
  verificationFailures(crm: string): {
    count: number;
    lastAt: Date | null;
    lastReason: string | null;
  };
}
