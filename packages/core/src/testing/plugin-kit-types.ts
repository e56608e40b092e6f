import type { CrmPlugin, PluginConfigValues } from '../contracts/plugin.js';

/**
 * What a plugin's fake server must let the plugin test kit do. Each plugin's tests build one
 * of these around its own fake server (or, for a database plugin, its seeded test database).
 */
export interface PluginKitFixture {
  /** Plugin configuration pointing at the fake (`<CRM>_BASE_URL`, credentials). */
  config: PluginConfigValues;
  /** Plugin options to pass on every run (may be empty). */
  pluginOptions?: Record<string, unknown>;
  /**
   * Changes `count` existing records of the kit's entity at the fake, so that their remote
   * change time is "now" (for a trailing-window entity: inside the window), and returns the
   * external ids changed.
   */
  mutate(count: number): Promise<string[]>;
  /**
   * Adds `count` new records dated `at` (their creation and update time), returning their
   * external ids. Used by the start-date scenario.
   */
  addRecords(count: number, at: Date): Promise<string[]>;
  /**
   * Makes `count` existing records come back in a form the entity's processor must reject
   * (e.g. a required field missing or an email that is not one, with strict validation), and
   * returns their ids. They must still be served by the fake.
   */
  corrupt(count: number): Promise<string[]>;
  /** Queues faults for the next requests of the kit's entity. */
  injectFault(
    fault:
      | { kind: 'rate-limit'; retryAfterSeconds: number }
      | { kind: 'server-error'; count: number },
  ): void;
  /** Page sizes the fake was asked for by list/search requests of the entity, in order. */
  requestedPageSizes(): number[];
  /** Sets the remote updated time of one record (for the `--full` keeps-newer scenario). */
  setUpdatedAt?(externalId: string, at: Date): Promise<void>;
  close(): Promise<void>;
}

export interface PluginKitOptions<Client = unknown> {
  plugin: CrmPlugin<Client>;
  /** The entity the scenarios run on (it must stream pages). */
  entity: string;
  /** Records the fake starts with. Keep it small: the kit runs many syncs. Default 120. */
  size?: number;
  /** Starts a fresh fake with `size` records of `entity`, its dates spread over the past 90 days. */
  setup(options: { size: number }): Promise<PluginKitFixture>;
  /** Scenarios this CRM cannot express, each with the reason (printed as a skipped test). */
  unsupported?: Partial<Record<PluginKitScenario, string>>;
}

export type PluginKitScenario =
  | 'full'
  | 'delta'
  | 'force'
  | 'full-keeps-newer'
  | 'dry-run'
  | 'max-records'
  | 'batch-size'
  | 'start-date'
  | 'rate-limit'
  | 'server-errors'
  | 'bad-records'
  | 'history';
