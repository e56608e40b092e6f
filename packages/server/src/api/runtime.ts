import {
  type CrmPlugin,
  createLogger,
  createRequestMetrics,
  InputError,
  parsePluginOptions,
  parseSyncOptions,
  type SyncEngine,
  type EntityDefinition,
  type HealthResult,
  type PluginConfigValues,
  type RunEventListener,
  secretValues,
  type SyncOptions,
} from '@crmsync/core';
import type { PrismaStore } from '../store/index.js';
import type { ApiPlugin, ApiRuntime, SchedulerHealth, SyncLaunch } from '../runtime/api-runtime.js';

/** An installed plugin with its resolved config (secrets included: it never leaves the server). */
export interface RuntimePlugin {
  plugin: CrmPlugin;
  config: PluginConfigValues;
  configured: boolean;
}

/** The engine side of the runtime: run events, and running a sync in this process. */
export interface RuntimeEngine {
  subscribe(listener: RunEventListener): () => void;
  run(launch: SyncLaunch): Promise<unknown>;
  parseOptions(
    plugin: CrmPlugin,
    raw: Record<string, unknown>,
    pluginOptions: Record<string, unknown>,
  ): SyncOptions;
}

export interface ApiRuntimeParts {
  store: PrismaStore;
  plugins: RuntimePlugin[];
  engine: RuntimeEngine;
  schedulerHealth?: () => Promise<SchedulerHealth>;
  /** Every secret to scrub from responses; default: the plugins' secret config values. */
  secrets?: () => string[];
}

/** Pings the CRM with a client of its own, closed afterwards. */
async function pluginHealth(entry: RuntimePlugin, signal: AbortSignal): Promise<HealthResult> {
  const { plugin } = entry;
  if (!plugin.health) throw new Error(`${plugin.name} has no health check`);
  const client = await plugin.createClient({
    config: entry.config,
    logger: createLogger(`crmsync:plugin:${plugin.name}:health`, {
      level: 'warn',
      secrets: secretValues(plugin, entry.config),
    }),
    metrics: createRequestMetrics(),
    signal,
  });
  try {
    return await plugin.health(client, signal);
  } finally {
    await plugin.closeClient?.(client);
  }
}

function entitiesOf(entry: RuntimePlugin): EntityDefinition[] {
  const { plugin } = entry;
  return plugin.configureEntities && entry.configured
    ? plugin.configureEntities(entry.config)
    : plugin.entities;
}

/**
 * Assembles the API's runtime from a store, the installed plugins and an engine.
 *
 * @example
 * const runtime = createApiRuntime({ store, plugins: [{ plugin, config, configured: true }], engine });
 * await startApiServer({ runtime, port: 0 });
 */
export function createApiRuntime(parts: ApiRuntimeParts): ApiRuntime {
  const plugins: ApiPlugin[] = parts.plugins.map((entry) => ({
    plugin: entry.plugin,
    configured: entry.configured,
    entities: entitiesOf(entry),
    ...(entry.plugin.health && { health: (signal: AbortSignal) => pluginHealth(entry, signal) }),
  }));
  const secrets = parts.plugins.flatMap((entry) => secretValues(entry.plugin, entry.config));
  return {
    prisma: parts.store.prisma,
    provider: parts.store.provider,
    ping: () => parts.store.ping(),
    plugins,
    runSync: (launch) => parts.engine.run(launch),
    subscribe: (listener) => parts.engine.subscribe(listener),
    parseOptions: (plugin, raw, pluginOptions) =>
      parts.engine.parseOptions(plugin, raw, pluginOptions),
    ...(parts.schedulerHealth && { schedulerHealth: parts.schedulerHealth }),
    secretValues: parts.secrets ?? (() => secrets),
  };
}

/**
 * The engine side of the runtime over core's SyncEngine: runs start with trigger `api` and the
 * plugin's resolved config; options are parsed by core (errors name the flag and what was
 * expected).
 *
 * @example
 * const engine = new SyncEngine({ store });
 * createApiRuntime({ store, plugins, engine: syncEngineRuntime(engine, plugins) });
 */
export function syncEngineRuntime(engine: SyncEngine, plugins: RuntimePlugin[]): RuntimeEngine {
  return {
    subscribe: (listener) => engine.subscribe(listener),
    parseOptions: (plugin, raw, pluginOptions) => ({
      ...parseSyncOptions(raw),
      pluginOptions: parsePluginOptions(plugin, pluginOptions),
    }),
    run: async (launch) => {
      const entry = plugins.find((p) => p.plugin.name === launch.crm);
      if (!entry) throw new InputError('crm', 'an installed CRM', launch.crm);
      const params = {
        plugin: entry.plugin,
        config: entry.config,
        options: launch.options,
        trigger: 'api' as const,
        signal: launch.signal,
      };
      return launch.entity === 'all'
        ? engine.runAll(params)
        : engine.runEntity({ ...params, entity: launch.entity });
    },
  };
}
