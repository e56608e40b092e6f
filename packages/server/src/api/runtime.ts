import {
  type CrmPlugin,
  createLogger,
  createRequestMetrics,
  type EntityDefinition,
  type HealthResult,
  type PluginConfigValues,
  type RunEventListener,
  secretValues,
} from '@crmsync/core';
import type { PrismaStore } from '../store/index.js';
import type { ApiPlugin, ApiRuntime, ApiSyncs, SchedulerHealth } from '../runtime/api-runtime.js';

/** An installed plugin with its resolved config (secrets included: it never leaves the server). */
export interface RuntimePlugin {
  plugin: CrmPlugin;
  config: PluginConfigValues;
  configured: boolean;
}

/** The engine side of the runtime: run events, and the sync service that starts syncs. */
export interface RuntimeEngine {
  subscribe(listener: RunEventListener): () => void;
  syncs: ApiSyncs;
}

/** For a host that serves the API over a store but runs no sync: every start is refused. */
export function noSyncs(reason: string): ApiSyncs {
  return {
    parse: () => {
      throw new Error(reason);
    },
    start: () => Promise.reject(new Error(reason)),
  };
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
async function pluginHealth(
  entry: RuntimePlugin,
  signal: AbortSignal,
  secrets: string[],
  onWarning?: (message: string) => void,
): Promise<HealthResult> {
  const { plugin } = entry;
  if (!plugin.health) throw new Error(`${plugin.name} has no health check`);
  const client = await plugin.createClient({
    config: entry.config,
    logger: createLogger(`crmsync:plugin:${plugin.name}:health`, {
      level: 'warn',
      secrets,
      // The warnings (a retry's reason) go to the caller: a health check writes no log lines.
      sink: (line) => onWarning?.(line.message),
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
 * Assembles the API's runtime from a store, the installed plugins and an engine. A crmsync
 * app's runtime is `apiRuntimeFromApp(app)`; this is for hosts of their own (the benchmarks).
 *
 * @example
 * const runtime = createApiRuntime({ store, plugins, engine: { subscribe, syncs } });
 * await startApiServer({ runtime, port: 0 });
 */
export function createApiRuntime(parts: ApiRuntimeParts): ApiRuntime {
  const secrets = parts.plugins.flatMap((entry) => secretValues(entry.plugin, entry.config));
  const plugins: ApiPlugin[] = parts.plugins.map((entry) => ({
    plugin: entry.plugin,
    configured: entry.configured,
    entities: entitiesOf(entry),
    ...(entry.plugin.health && {
      health: (signal: AbortSignal, onWarning?: (message: string) => void) =>
        pluginHealth(entry, signal, secrets, onWarning),
    }),
  }));
  return {
    prisma: parts.store.prisma,
    provider: parts.store.provider,
    ping: () => parts.store.ping(),
    plugins,
    syncs: parts.engine.syncs,
    subscribe: (listener) => parts.engine.subscribe(listener),
    ...(parts.schedulerHealth && { schedulerHealth: parts.schedulerHealth }),
    secretValues: parts.secrets ?? (() => secrets),
  };
}
