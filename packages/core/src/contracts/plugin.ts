import type { RequestBudgets } from './shared-state.js';
import type { ZodType } from 'zod';
import type { FieldSchema } from './fields.js';
import type { Logger } from './logger.js';
import type { RequestMetrics } from './metrics.js';
import type { BusinessRule, Processor } from './processor.js';
import type { WebhookCapability } from './webhooks.js';
import type { EntityWriter } from './write.js';

/**
 * The version of the plugin contract this build of core implements. A plugin declares the
 * version it was written for in `contractVersion`; discovery refuses a plugin whose version
 * core does not support (see `checkPluginCompatibility`).
 */
export const CORE_CONTRACT_VERSION = 1;

/** Contract versions this core can run. Widen when a new version stays backwards compatible. */
export const SUPPORTED_CONTRACT_VERSIONS: readonly number[] = [1];

export type PluginKind = 'api' | 'database' | 'file';

/**
 * One credential or setting of a plugin, as core keeps it (`defineCrmPlugin` fills `env` from
 * the key and turns `type: 'secret'` into `secret: true`). Values come from the environment
 * (`env`) or from the config file's `plugins.<name>.config.<key>`; env wins. `secret` values
 * are never printed, logged or returned by the API.
 */
export interface ConfigFieldSpec {
  env: string;
  description: string;
  type?: 'string' | 'url' | 'integer' | 'boolean' | 'json';
  secret?: boolean;
  required?: boolean;
  default?: string | number | boolean;
  /**
   * Credentials that are alternatives to each other share a group name: the plugin is
   * configured when every required field of at least one group is set (e.g. a private-app
   * token OR an OAuth client id + secret + refresh token).
   */
  group?: string;
}

export type ConfigSpec = Record<string, ConfigFieldSpec>;

/** A plugin's own command-line / API option (e.g. Arrivy's `--high-performance`). */
export interface PluginOptionSpec {
  type: 'boolean' | 'integer' | 'string' | 'enum';
  description: string;
  default?: string | number | boolean;
  choices?: readonly string[];
  min?: number;
  max?: number;
}

export type PluginOptionsSpec = Record<string, PluginOptionSpec>;

/** Resolved, parsed plugin configuration (secrets included: keep it away from logs). */
export type PluginConfigValues = Record<string, string | number | boolean | unknown>;

export interface ClientContext<Cfg extends PluginConfigValues = PluginConfigValues> {
  config: Cfg;
  logger: Logger;
  /** Counters the client increments (API calls, retries, throttled waits). */
  metrics: RequestMetrics;
  signal: AbortSignal;
  /**
   * The store's request quotas shared by every process, when it offers them: a client whose
   * vendor counts per user takes each request from here (see SharedRateLimiter).
   */
  requestBudgets?: RequestBudgets;
}

export interface HealthResult {
  ok: boolean;
  latencyMs: number;
  message?: string;
}

/**
 * How an entity's changes can be found.
 * - `updated-since`: the CRM filters by a remote timestamp that moves on every update.
 * - `created-since`: the timestamp moves only on creation (append-only logs).
 * - `trailing-window`: no modified filter; every run re-reads `windowMs` of event time
 *   before the delta start (CallRail calls change after they are created), or the days of
 *   the plugin option `windowOption` names when a run sets it.
 * - `none`: read everything every run; unchanged rows are skipped by hash and rows missing
 *   from a complete read are soft-deleted (a spreadsheet).
 */
export type DeltaSpec =
  | { kind: 'updated-since'; field: string }
  | { kind: 'created-since'; field: string }
  | {
      kind: 'trailing-window';
      field: string;
      windowMs: number;
      /**
       * A plugin option, in days, that replaces `windowMs` for a run (CallRail's
       * `--window-days`): the engine reaches back that far, so the plugin uses `since` as given.
       */
      windowOption?: string;
    }
  | { kind: 'none' };

export type SyncMode = 'full' | 'delta' | 'force' | 'start-date';

/** Opaque, JSON-serialisable position in a stream (page cursor, last timestamp + id, …). */
export type Checkpoint = Record<string, unknown>;

export interface FetchRequest<Cp extends Checkpoint = Checkpoint> {
  mode: SyncMode;
  /** Lower bound of remote change time (inclusive). Absent on a full read. */
  since?: Date;
  /** Upper bound (exclusive), from `--end-date`. */
  until?: Date;
  /**
   * Page size to ask of the CRM: `--batch-size`, else the entity's `pageSize.default`, else
   * 100 — never more than the entity's `pageSize.max`.
   */
  batchSize: number;
  maxRecords?: number;
  signal: AbortSignal;
  /** The plugin's own options, parsed against its `options` spec. */
  options: Record<string, unknown>;
  /**
   * Where a previous, interrupted run of this entity got to — already parsed by the engine
   * with the entity's `checkpoint` schema when it has one.
   */
  checkpoint?: Cp;
  logger: Logger;
  /** What this entity's last complete read reported in `Page.marks` (none on a store without them). */
  marks?: Readonly<Record<string, string>>;
}

/** One page of raw records from the CRM, with where to resume after it. */
export interface Page<Raw = unknown, Cp extends Checkpoint = Checkpoint> {
  records: Raw[];
  /** Resume point after this page has been written. */
  checkpoint?: Cp;
  /** Total the CRM reports for the whole read, when it says. */
  estimatedTotal?: number;
  /** External ids the CRM reports as deleted/archived: soft-deleted locally. */
  deletedIds?: string[];
  /**
   * Set (on an empty page) by a `none`-delta entity whose source says it has not changed since
   * `FetchRequest.since` (a spreadsheet's Drive `modifiedTime`): the read is complete but was
   * skipped, so the engine must not soft-delete the stored records as missing.
   */
  notModified?: boolean;
  /**
   * Values to hand the next run in `FetchRequest.marks` (a spreadsheet's Drive `modifiedTime`
   * as this read saw it): kept only when this read completes, and not on a dry run.
   */
  marks?: Record<string, string>;
  /**
   * For an entity with `groupedBy`: the groups this page holds every current record of — each
   * the values of the `groupedBy` fields, in order, as text — including groups with no record
   * left. After a complete read the engine soft-deletes the stored records of these groups that
   * the read did not return.
   */
  completeGroups?: ReadonlyArray<readonly string[]>;
}

export interface EntityDefinition<
  Client = unknown,
  Raw = unknown,
  Cp extends Checkpoint = Checkpoint,
> {
  /** `sync_type`: `contacts`, never `contacts_sync`. */
  name: string;
  displayName?: string;
  description?: string;
  /** Mapped field that holds the record's id at the CRM. */
  primaryKey: string;
  delta: DeltaSpec;
  /**
   * A full read (`--full`, `--force`, a first sync) returns every live record, so after a
   * complete one the engine soft-deletes the stored rows it did not return — as it does on
   * every read of a `none` entity. For entities whose removals the CRM reports nowhere else
   * (HubSpot's associations); a delta read never deletes this way.
   */
  fullReadDetectsDeletes?: boolean;
  /**
   * Mapped fields that group the records a read returns whole: when a read lists a group in
   * `Page.completeGroups`, it returned every current record of it, so a delta can remove what
   * the CRM removed without reporting it (HubSpot: the links of each changed object to one
   * object type, grouped by `from_object_type`, `from_id` and `to_object_type`). Needs a store
   * offering `groupedDeletes` (see GroupedDeletes).
   */
  groupedBy?: readonly string[];
  /** Field schema: types for validation and for the API's typed view; `source` maps raw paths. */
  fields: FieldSchema;
  /** Mapped field holding the remote last-update time, used by `--full` to keep newer rows. */
  updatedAtField?: string;
  /** Mapped field holding the remote creation time. */
  createdAtField?: string;
  /** Entities of the same plugin that `sync all` must run first. */
  dependsOn?: string[];
  /** Record-level rules run after field validation (warnings in lenient mode, failures in strict). */
  rules?: BusinessRule[];
  /** Replaces the default, field-schema-driven processor. */
  processor?: Processor<Raw>;
  /**
   * Page sizes the CRM allows. The engine asks `default` when no `--batch-size` was given and
   * clamps a larger one to `max` (Pipedrive: 500).
   */
  pageSize?: { default: number; max: number };
  /**
   * The shape of this entity's checkpoint. The engine parses a stored checkpoint with it
   * before `fetch`; one that does not parse (written by an older plugin version) is dropped
   * with a warning and the read starts over, rather than failing every run after.
   */
  checkpoint?: ZodType<Cp>;
  /**
   * How local changes are pushed to the CRM; absent on a read-only entity. The entity's mapped
   * field names must be the CRM's API names for the fields it writes.
   */
  write?: EntityWriter<Client>;
  /** Streams the entity page by page. Never collect everything in memory. */
  fetch(client: Client, request: FetchRequest<Cp>): AsyncIterable<Page<Raw, Cp>>;
  /**
   * Reads just these records (HubSpot batch read, Zoho `?ids=`), for a webhook-triggered
   * sync; pages as `fetch` does. Ids the CRM no longer has are listed in `Page.deletedIds`
   * when the CRM says so, else simply absent. Without it, a webhook triggers a delta.
   */
  fetchByIds?(client: Client, request: FetchByIdsRequest): AsyncIterable<Page<Raw, Cp>>;
}

/** What `fetchByIds` receives: distinct ids, at most the entity's page size at a time is the plugin's affair. */
export interface FetchByIdsRequest {
  ids: readonly string[];
  signal: AbortSignal;
  logger: Logger;
}

export interface CrmPlugin<Client = unknown, Cfg extends PluginConfigValues = PluginConfigValues> {
  /** The core contract version the plugin was written against. */
  contractVersion: number;
  /** `crm_source`: lowercase letters and digits, no spaces or underscores. */
  name: string;
  displayName: string;
  kind: PluginKind;
  description?: string;
  /** Sample data needing no credentials: `crmsync start` syncs and schedules it on a fresh install. */
  demo?: boolean;
  config: ConfigSpec;
  options?: PluginOptionsSpec;
  /** Delta overlap subtracted from the last successful run's start; default 5 minutes. */
  deltaOverlapMs?: number;
  // biome-ignore lint/suspicious/noExplicitAny: entities differ in their raw record type
  entities: EntityDefinition<Client, any>[];
  /**
   * Entities that depend on configuration (a spreadsheet plugin's configured tabs). A host
   * that has resolved the plugin's config calls this and uses the result in place of
   * `entities`, which then lists the entities of the default configuration.
   */
  // biome-ignore lint/suspicious/noExplicitAny: entities differ in their raw record type
  configureEntities?(config: Cfg): EntityDefinition<Client, any>[];
  createClient(context: ClientContext<Cfg>): Client | Promise<Client>;
  /** Releases the client (sockets, pools). */
  closeClient?(client: Client): Promise<void>;
  /** Pings the CRM with the configured credentials. */
  health?(client: Client, signal: AbortSignal): Promise<HealthResult>;
  /** How the CRM's webhooks are verified and read (see `WebhookCapability`). */
  webhooks?: WebhookCapability;
}

export function defineEntity<Client, Raw = unknown, Cp extends Checkpoint = Checkpoint>(
  entity: EntityDefinition<Client, Raw, Cp>,
): EntityDefinition<Client, Raw, Cp> {
  return entity;
}
