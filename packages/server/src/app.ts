import { hostname } from 'node:os';
import {
  type CrmPlugin,
  checkPluginCompatibility,
  createLogger,
  entitiesFor,
  type Logger,
  type LoggerOptions,
  type RunEventListener,
  type RunQuery,
  type RunTrigger,
  resolvePluginConfig,
  SyncEngine,
  type SyncEngineOptions,
  type SyncHook,
  type SyncOptions,
  type SyncRun,
  secretValues,
} from '@crmsync/core';
import { type LoadedConfig, loadConfigFile } from './config/config-file.js';
import { type DiscoveryProblem, discoverPlugins } from './discovery/discover.js';
// Not ./store/index.js: that re-exports Prisma's namespace, and loading Prisma is left to the
// store, on first use (a sync or `crmsync list` never needs it).
import { resolveDatabaseUrl } from './store/database-url.js';
import { openStore } from './store/open-store.js';
import type { PrismaStore } from './store/prisma-store.js';
import { findInstalled, type InstalledPlugin, SyncService } from './syncs/index.js';
import { WriteService } from './writes/write-service.js';

export type { InstalledPlugin } from './syncs/index.js';

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
  /**
   * Discover only this CRM's plugin where its package is named for it (a command that syncs
   * one CRM need not load the others' code); the others are not installed on the instance.
   */
  onlyPlugin?: string;
  /** Load Prisma as the store opens (default true); false leaves it to first use. */
  prisma?: boolean;
  /** Written on each run (`<hostname>:<pid>` by default). */
  workerId?: string;
  /** Engine lease: a run silent for longer is taken for dead. */
  leaseMs?: number;
  /** How often running syncs report progress (default 1 s). */
  progressIntervalMs?: SyncEngineOptions['progressIntervalMs'];
}

export interface SyncCallOptions {
  trigger?: RunTrigger;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  /** Another live run holds the entity: wait for it to end rather than refuse. */
  waitIfRunning?: boolean;
  hooks?: SyncHook[];
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
  entities: Array<{ name: string; lastRun: SyncRun | null; records: number; writable: boolean }>;
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
  /** Where every sync starts: the CLI, the API, the scheduler and `sync()` below. */
  readonly syncs: SyncService;
  /** Two-way sync: local edits, pushes, conflicts and mass updates (CLI and API alike). */
  readonly writes: WriteService;
  readonly logger: Logger;
  readonly cwd: string;
  readonly config: LoadedConfig;
  /** Plugins that could not be loaded (incompatible contract, broken module). */
  readonly problems: DiscoveryProblem[];
  /** The plugin by name; an InputError listing the installed ones otherwise. */
  plugin(name: string): InstalledPlugin;
  /**
   * Runs one entity, or every entity in dependency order for `all`; options raw (CLI or API
   * spelling) or typed, plugin options under `pluginOptions`. Throws InputError before any run.
   */
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

export async function createCrmsync(options: CreateCrmsyncOptions = {}): Promise<Crmsync> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const config = await loadConfigFile(cwd, options.config);
  const discovered =
    options.plugins && options.plugins !== 'discover'
      ? { plugins: options.plugins.map((plugin) => ({ plugin, source: 'given' })), problems: [] }
      : await discoverPlugins({
          cwd,
          load: config.load,
          disable: config.disable,
          ...(options.onlyPlugin && { only: options.onlyPlugin }),
        });
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
  const store = await openStore({
    databaseUrl: database,
    cwd,
    ...(options.prisma === false && { prisma: false }),
  });
  const engine = new SyncEngine({
    store,
    logger,
    workerId: options.workerId ?? `${hostname()}:${process.pid}`,
    ...(options.leaseMs && { leaseMs: options.leaseMs }),
    ...(options.progressIntervalMs && { progressIntervalMs: options.progressIntervalMs }),
  });
  const syncs = new SyncService(engine, plugins);
  const writes = new WriteService(store, plugins, logger);

  return {
    plugins,
    store,
    engine,
    syncs,
    writes,
    logger,
    cwd,
    config,
    problems: discovered.problems,
    plugin: (name) => findInstalled(plugins, name),
    async sync(crm, entity, options = {}, call = {}) {
      const { pluginOptions, ...flags } = options as Record<string, unknown>;
      const request = syncs.parse({ crm, entity, flags, pluginOptions });
      const hooks = [
        ...(call.hooks ?? []),
        ...(call.onEvent ? [{ onRunEvent: call.onEvent }] : []),
      ];
      return syncs.run(request, {
        trigger: call.trigger ?? 'library',
        ...(call.signal && { signal: call.signal }),
        ...(call.waitIfRunning && { waitIfRunning: true }),
        hooks,
      });
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
              writable: e.write !== undefined,
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
