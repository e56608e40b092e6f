import type { CrmPlugin, PluginConfigValues } from '../contracts/plugin.js';

/** A fault the kit asks a fixture to queue: one rate-limit answer, or `count` server errors. */
export type PluginKitFault =
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'server-error'; count: number };

/**
 * What a plugin's fake server must let the plugin test kit do, for one entity. Each plugin's
 * tests build one of these around its own fake (or, for a database plugin, its seeded test
 * database). The optional members serve one scenario each: a fixture without one fails that
 * scenario unless the plugin declares it unsupported, with the reason.
 */
export interface PluginKitFixture {
  /** Plugin configuration pointing at the fake (`<CRM>_BASE_URL`, credentials). */
  config: PluginConfigValues;
  /** Plugin options to pass on every run (may be empty). */
  pluginOptions?: Record<string, unknown>;
  /**
   * Changes `count` existing records at the fake, so that their remote change time is "now"
   * (for a trailing-window entity: inside the window), and returns the external ids changed.
   */
  mutate(count: number): Promise<string[]>;
  /**
   * Adds `count` new records dated `at` exactly (their creation and update time, to the
   * CRM's precision), returning their external ids. The boundary scenario adds records on
   * and beside the since/until bounds with it.
   */
  addRecords(count: number, at: Date): Promise<string[]>;
  /**
   * Makes `count` existing records come back in a form the entity's processor must reject
   * (e.g. a required field missing or an email that is not one, with strict validation), and
   * returns their ids. They must still be served by the fake.
   */
  corrupt(count: number): Promise<string[]>;
  /** Queues faults for the next requests of the entity. */
  injectFault(fault: PluginKitFault): void;
  /** Page sizes the fake was asked for by list/search requests of the entity, in order. */
  requestedPageSizes(): number[];
  /** Sets the remote updated time of one record (for the `--full` keeps-newer scenario). */
  setUpdatedAt?(externalId: string, at: Date): Promise<void>;
  /**
   * Removes `count` live records the way the CRM does for this entity — archives them, lists
   * them in its deleted-records feed, or drops them so a full read misses them — moving their
   * change time to now, and returns their ids (the `deletes` scenario).
   */
  remove?(count: number): Promise<string[]>;
  /** Config values that replace the good ones with credentials the CRM refuses (`auth`). */
  badCredentials?: PluginConfigValues;
  /**
   * Gives `ids` a value in a field the CRM account defines itself (a custom property), and
   * returns the mapped field name the value must be stored under (`custom-fields`).
   */
  setCustomField?(ids: string[], value: string): Promise<string>;
  close(): Promise<void>;
}

/** How the CRM compares a record's change time with a delta's bounds. */
export type BoundRule = 'inclusive' | 'exclusive';

/** What the kit must know of one entity beyond its definition. */
export interface EntityKitOptions {
  /** Records the fake starts with. Keep it small: the kit runs many syncs. */
  size?: number;
  /** Why this entity is not run at all (printed as a skipped test). */
  skip?: string;
  /** Scenarios this entity cannot express, each with the reason (printed as a skipped test). */
  unsupported?: Partial<Record<PluginKitScenario, string>>;
  /**
   * How the plugin reads the bounds it is handed; default the engine's contract: `since`
   * inclusive, `until` exclusive. The kit puts records on each bound and a little either side.
   */
  bounds?: { since: BoundRule; until: BoundRule };
  /** The most records the CRM serves per page; `--batch-size` above it must be capped to it. */
  maxPageSize?: number;
  /**
   * The read that must report a removed record: a `delta` (archived flags, a deleted-ids feed)
   * or a `full` read (missing records). Default: `full` for an entity with
   * `fullReadDetectsDeletes`, else `delta` (every read of a `none` entity is complete).
   */
  deletesOn?: 'delta' | 'full';
}

export interface PluginKitOptions<Client = unknown> {
  plugin: CrmPlugin<Client>;
  /** Starts a fresh fake with `size` records of `entity`, their dates spread over the past 90 days. */
  setup(options: { size: number; entity: string }): Promise<PluginKitFixture>;
  /** Records the fake starts with, unless an entity says otherwise. Default 120. */
  size?: number;
  /**
   * `every-entity` (default) runs the scenarios for each entity of the plugin;
   * `every-delta-kind` runs the first entity of each delta kind and deletion signal, and lists
   * the others as skipped (covered by that one) — for plugins with many same-shaped entities.
   */
  coverage?: 'every-entity' | 'every-delta-kind';
  /** Per-entity options, by entity name. */
  entities?: Record<string, EntityKitOptions>;
  /** Scenarios no entity of this CRM can express, each with the reason. */
  unsupported?: Partial<Record<PluginKitScenario, string>>;
}

export type PluginKitScenario =
  | 'full'
  | 'cursor'
  | 'delta'
  | 'force'
  | 'full-keeps-newer'
  | 'dry-run'
  | 'max-records'
  | 'batch-size'
  | 'page-size'
  | 'start-date'
  | 'end-date'
  | 'boundaries'
  | 'resume'
  | 'deletes'
  | 'custom-fields'
  | 'auth'
  | 'rate-limit'
  | 'server-errors'
  | 'bad-records'
  | 'history';
