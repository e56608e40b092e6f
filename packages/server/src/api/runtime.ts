import {
  type CrmPlugin,
  createRequestMetrics,
  type EntityDefinition,
  type HealthResult,
  type Logger,
  type PluginConfigValues,
  type RunEventListener,
  type SyncOptions,
} from '@crmsync/core';
import createDebug from 'debug';
import type { PrismaStore } from '../store/index.js';
import type { ApiPlugin, ApiRuntime, SchedulerHealth, SyncLaunch } from './context.js';

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
}

function debugLogger(namespace: string): Logger {
  const log = createDebug(namespace);
  return {
    debug: (message, details) => log('%s %o', message, details ?? {}),
    info: (message, details) => log('%s %o', message, details ?? {}),
    warn: (message, details) => log('warn %s %o', message, details ?? {}),
    error: (message, details) => log('error %s %o', message, details ?? {}),
    child: (child) => debugLogger(child),
  };
}

/** Pings the CRM with a client of its own, closed afterwards. */
async function pluginHealth(entry: RuntimePlugin, signal: AbortSignal): Promise<HealthResult> {
  const { plugin } = entry;
  if (!plugin.health) throw new Error(`${plugin.name} has no health check`);
  const client = await plugin.createClient({
    config: entry.config,
    logger: debugLogger(`crmsync:plugin:${plugin.name}:health`),
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
  const secrets = parts.plugins.flatMap((entry) =>
    Object.entries(entry.plugin.config)
      .filter(([, spec]) => spec.secret)
      .map(([key]) => entry.config[key])
      .filter((v): v is string => typeof v === 'string' && v !== ''),
  );
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
    secretValues: () => secrets,
  };
}
