import { hostname } from 'node:os';
import {
  type CrmPlugin,
  CrmsyncError,
  checkPluginCompatibility,
  createLogger,
  describeMissingConfig,
  type EntityDefinition,
  entitiesFor,
  InputError,
  type Logger,
  type LoggerOptions,
  type PluginConfigValues,
  parsePluginOptions,
  parseSyncOptions,
  type ResolvedPluginConfig,
  type RunEventListener,
  type RunQuery,
  type RunTrigger,
  resolvePluginConfig,
  SyncEngine,
  type SyncOptions,
  type SyncRun,
  secretValues,
} from '@crmsync/core';
import { type LoadedConfig, loadConfigFile } from './config/config-file.js';
import { type DiscoveryProblem, discoverPlugins } from './discovery/discover.js';
import { openStore, type PrismaStore, resolveDatabaseUrl } from './store/index.js';

export interface CreateCrmsyncOptions {
  /** A database URL; default `DATABASE_URL`, the config file's `database`, then SQLite under `./.crmsync/`. */
  database?: string;
  /** Plugins to use; default: discover installed ones. */
  plugins?: CrmPlugin[] | 'discover';
  /** Path of a config file; default `crmsync.config.{ts,mjs,js,json}` in `cwd`. */
  config?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** A logger of your own; secrets are not redacted for you (see `log`). */
  logger?: Logger;
  /**
   * Level and destination of crmsync's own logger (used when `logger` is not given). Every
   * configured secret (plugin credentials, `CRMSYNC_API_TOKEN`) is redacted from it.
   */
  log?: Pick<LoggerOptions, 'level' | 'sink'>;
  /** Written on each run (`<hostname>:<pid>` by default). */
  workerId?: string;
  /** Engine lease: a run silent for longer is taken for dead. */
  leaseMs?: number;
}

/** An installed plugin with its resolved configuration (secrets included: keep it server-side). */
export interface InstalledPlugin {
  plugin: CrmPlugin;
  source: string;
  config: PluginConfigValues;
  resolved: ResolvedPluginConfig;
  configured: boolean;
  entities: EntityDefinition[];
  /** Default plugin options from the config file. */
  defaultOptions: Record<string, unknown>;
}

export interface SyncCallOptions {
  trigger?: RunTrigger;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  /** Another live run holds the entity: wait for it to end rather than refuse. */
  waitIfRunning?: boolean;
}

export interface PluginSummary {
  name: string;
  displayName: string;
  kind: string;
  configured: boolean;
  /** Env vars of required settings that are not set. */
  missing: string[];
  /** Settings that are set but malformed, by env var name (never the value). */
  invalid: Array<{ env: string; expected: string }>;
  entities: Array<{ name: string; lastRun: SyncRun | null; records: number }>;
}

/**
 * crmsync as a library: the same object the CLI, the API and the scheduler are built on.
 *
 * @example
 * import { createCrmsync } from '@crmsync/server';
 * const crmsync = await createCrmsync({ database: 'file:./crm.db' });
 * const runs = await crmsync.sync('faker', 'all', { full: true });
 * console.log(runs.map((r) => `${r.syncType}: ${r.status}`));
 * await crmsync.close();
 */
export interface Crmsync {
  readonly plugins: InstalledPlugin[];
  readonly store: PrismaStore;
  readonly engine: SyncEngine;
  readonly logger: Logger;
  readonly cwd: string;
  readonly config: LoadedConfig;
  /** Plugins that could not be loaded (incompatible contract, broken module). */
  readonly problems: DiscoveryProblem[];
  /** The plugin by name; an InputError listing the installed ones otherwise. */
  plugin(name: string): InstalledPlugin;
  /** Turns raw flags (CLI or API spelling) and plugin options into typed options; throws InputError. */
  parseOptions(
    crm: string,
    raw: Record<string, unknown>,
    pluginOptions?: Record<string, unknown>,
  ): SyncOptions;
  /** Runs one entity, or every entity in dependency order for `all`. */
  sync(
    crm: string,
    entity: string,
    options?: SyncOptions | Record<string, unknown>,
    call?: SyncCallOptions,
  ): Promise<SyncRun[]>;
  history(query?: RunQuery): Promise<SyncRun[]>;
  listPlugins(): Promise<PluginSummary[]>;
  /** Every configured secret (for redaction). */
  secrets(): string[];
  close(): Promise<void>;
}

/**
 * The database to use: the explicit one (`--database`), else `DATABASE_URL`, else the config
 * file's `database`, else the embedded SQLite file under `<cwd>/.crmsync/`.
 */
export function databaseUrlFor(input: {
  database?: string | undefined;
  env: Record<string, string | undefined>;
  config: Pick<LoadedConfig, 'database'>;
  cwd: string;
}): string {
  return (
    input.database ||
    input.env.DATABASE_URL ||
    input.config.database ||
    resolveDatabaseUrl({}, input.cwd)
  );
}

const isTyped = (o: SyncOptions | Record<string, unknown>): o is SyncOptions =>
  Object.values(o).some((v) => v instanceof Date) || 'pluginOptions' in o;

export async function createCrmsync(options: CreateCrmsyncOptions = {}): Promise<Crmsync> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const config = await loadConfigFile(cwd, options.config);
  const discovered =
    options.plugins && options.plugins !== 'discover'
      ? { plugins: options.plugins.map((plugin) => ({ plugin, source: 'given' })), problems: [] }
      : await discoverPlugins({ cwd, load: config.load, disable: config.disable });
  for (const { plugin, source } of discovered.plugins) checkPluginCompatibility(plugin, source);

  const plugins: InstalledPlugin[] = discovered.plugins.map(({ plugin, source }) => {
    const entry = config.plugins[plugin.name];
    const resolved = resolvePluginConfig(plugin, {
      env,
      ...(entry?.config && { file: entry.config }),
    });
    let entities = plugin.entities;
    if (resolved.configured) {
      try {
        entities = entitiesFor(plugin, resolved.values);
      } catch (error) {
        resolved.invalid.push({ env: plugin.name, expected: (error as Error).message });
        resolved.configured = false;
      }
    }
    return {
      plugin,
      source,
      config: resolved.values,
      resolved,
      configured: resolved.configured,
      entities,
      defaultOptions: entry?.options ?? {},
    };
  });
  const secrets = plugins.flatMap((p) => secretValues(p.plugin, p.config));
  const apiToken = env.CRMSYNC_API_TOKEN;
  if (apiToken) secrets.push(apiToken);
  const logger =
    options.logger ??
    createLogger('crmsync', { level: 'warn', ...options.log, secrets: [...secrets] });

  const database = databaseUrlFor({ database: options.database, env, config, cwd });
  const store = await openStore({ databaseUrl: database, cwd });
  const engine = new SyncEngine({
    store,
    logger,
    workerId: options.workerId ?? `${hostname()}:${process.pid}`,
    ...(options.leaseMs && { leaseMs: options.leaseMs }),
  });

  const plugin = (name: string): InstalledPlugin => {
    const found = plugins.find((p) => p.plugin.name === name);
    if (!found) {
      const valid = plugins.map((p) => p.plugin.name).join(', ') || '(none installed)';
      throw new InputError('crm', `one of the installed CRMs: ${valid}`, name);
    }
    return found;
  };

  const parseOptions = (
    crm: string,
    raw: Record<string, unknown>,
    pluginOptions: Record<string, unknown> = {},
  ) => {
    const installed = plugin(crm);
    return {
      ...parseSyncOptions(raw),
      pluginOptions: parsePluginOptions(installed.plugin, {
        ...installed.defaultOptions,
        ...pluginOptions,
      }),
    };
  };

  return {
    plugins,
    store,
    engine,
    logger,
    cwd,
    config,
    problems: discovered.problems,
    plugin,
    parseOptions,
    async sync(crm, entity, rawOptions = {}, call = {}) {
      const installed = plugin(crm);
      if (!installed.configured)
        throw new CrmsyncError('config', describeMissingConfig(crm, installed.resolved), { crm });
      const options = isTyped(rawOptions) ? rawOptions : parseOptions(crm, rawOptions);
      if (entity !== 'all' && !installed.entities.some((e) => e.name === entity)) {
        throw new InputError(
          'entity',
          `all, or one of ${crm}'s entities: ${installed.entities.map((e) => e.name).join(', ')}`,
          entity,
        );
      }
      const params = {
        plugin: installed.plugin,
        config: installed.config,
        options,
        trigger: call.trigger ?? 'library',
        ...(call.signal && { signal: call.signal }),
        ...(call.onEvent && { onEvent: call.onEvent }),
        ...(call.waitIfRunning && { waitIfRunning: true }),
      };
      if (entity === 'all') return engine.runAll(params);
      return [await engine.runEntity({ ...params, entity })];
    },
    history: (query = {}) => store.listRuns(query),
    async listPlugins() {
      return Promise.all(
        plugins.map(async (p) => ({
          name: p.plugin.name,
          displayName: p.plugin.displayName,
          kind: p.plugin.kind,
          configured: p.configured,
          missing: p.resolved.missing,
          invalid: p.resolved.invalid,
          entities: await Promise.all(
            p.entities.map(async (e) => ({
              name: e.name,
              lastRun:
                (
                  await store.listRuns({ crmSource: p.plugin.name, syncType: e.name, limit: 1 })
                )[0] ?? null,
              records: await store.countRecords(p.plugin.name, e.name),
            })),
          ),
        })),
      );
    },
    secrets: () => [...secrets],
    close: () => store.close(),
  };
}
