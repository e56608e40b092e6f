import type { RunEventListener } from '../contracts/events.js';
import type { CrmPlugin, EntityDefinition, PluginConfigValues } from '../contracts/plugin.js';
import type { SyncOptions, SyncRun } from '../contracts/run.js';
import type { StoredRecord } from '../contracts/store.js';
import { SyncEngine } from '../engine/sync-engine.js';
import { MemoryStore } from '../store/memory-store.js';
import type {
  EntityKitOptions,
  PluginKitFixture,
  PluginKitOptions,
  PluginKitScenario,
} from './plugin-kit-types.js';

export interface SyncExtras {
  /** Replaces config values for this run (wrong credentials). */
  config?: PluginConfigValues;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
}

/** One entity's kit: its fixture, store and engine, fresh for each scenario. */
export interface KitContext {
  plugin: CrmPlugin;
  entity: string;
  definition: EntityDefinition;
  size: number;
  own: EntityKitOptions;
  /** Starts a fresh fixture, store and engine. */
  start(): Promise<PluginKitFixture>;
  sync(options?: SyncOptions, extras?: SyncExtras): Promise<SyncRun>;
  store(): MemoryStore;
  fixture(): PluginKitFixture;
  /** The stored record of this entity with that external id. */
  record(externalId: string): Promise<StoredRecord | null>;
  count(options?: { includeDeleted?: boolean }): Promise<number>;
  /** The fixture member a scenario needs; a missing one fails with what to do about it. */
  need<K extends keyof PluginKitFixture>(
    scenario: PluginKitScenario,
    key: K,
  ): NonNullable<PluginKitFixture[K]>;
  /** Declares one scenario: skipped with the plugin's reason when it declared one. */
  scenario(
    name: PluginKitScenario,
    title: string,
    body: (skip: (reason: string) => never) => Promise<void>,
    extraSkip?: string | false,
  ): void;
}

/** One scenario of one entity, as declared: its test title, skip reason and body. */
export interface KitScenario {
  entity: string;
  name: PluginKitScenario;
  title: string;
  /** Why it does not run (the plugin's declaration or what the entity lacks). */
  skip?: string;
  /** The whole entity is not run (`skip` says why). */
  wholeEntity?: boolean;
  body(skip: (reason: string) => never): Promise<void>;
}

/**
 * Where declared scenarios go (vitest's `it`, or a list the kit's own tests run), and the
 * hook that closes each scenario's fixture after it.
 */
export interface KitRegistrar {
  add(scenario: KitScenario): void;
  afterEach(cleanup: () => Promise<void>): void;
}

export function createKitContext<Client>(
  options: PluginKitOptions<Client>,
  definition: EntityDefinition,
  own: EntityKitOptions,
  registrar: KitRegistrar,
): KitContext {
  const plugin = options.plugin as CrmPlugin;
  const entity = definition.name;
  const size = own.size ?? options.size ?? 120;
  let fixture: PluginKitFixture | undefined;
  let store = new MemoryStore();
  let engine: SyncEngine | undefined;

  registrar.afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  const current = (): PluginKitFixture => {
    if (!fixture) throw new Error('the kit fixture is not set up');
    return fixture;
  };

  return {
    plugin,
    entity,
    definition,
    size,
    own,
    async start() {
      fixture = await options.setup({ size, entity });
      store = new MemoryStore();
      engine = new SyncEngine({ store, heartbeatIntervalMs: 60_000, progressIntervalMs: 0 });
      return fixture;
    },
    sync(opts = {}, extras = {}) {
      const f = current();
      if (!engine) throw new Error('the kit engine is not set up');
      return engine.runEntity({
        plugin,
        entity,
        config: { ...f.config, ...extras.config },
        options: { ...opts, pluginOptions: { ...f.pluginOptions, ...opts.pluginOptions } },
        trigger: 'cli',
        ...(extras.signal && { signal: extras.signal }),
        ...(extras.onEvent && { onEvent: extras.onEvent }),
      });
    },
    store: () => store,
    fixture: current,
    record: (id) => store.getRecord(plugin.name, entity, id),
    count: (opts) => store.countRecords(plugin.name, entity, opts),
    need(scenario, key) {
      const value = current()[key];
      if (value === undefined)
        throw new Error(
          `plugin kit: ${plugin.name} ${entity}: the fixture has no ${String(key)}, which the ` +
            `"${scenario}" scenario needs — add it, or declare "${scenario}" unsupported with the reason`,
        );
      return value as NonNullable<PluginKitFixture[typeof key]>;
    },
    scenario(name, title, body, extraSkip) {
      const reason = own.unsupported?.[name] ?? options.unsupported?.[name] ?? extraSkip;
      registrar.add({ entity, name, title, ...(reason && { skip: reason }), body });
    },
  };
}
