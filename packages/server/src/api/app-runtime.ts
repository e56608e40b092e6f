import type { Crmsync } from '../app.js';
import type { ApiRuntime, SchedulerHealth } from '../runtime/api-runtime.js';
import { createApiRuntime } from './runtime.js';

/**
 * The API runtime of a crmsync app (`createCrmsync()`): its store, installed plugins with their
 * resolved config, its engine's events, and its sync service — the one the CLI and the
 * scheduler start syncs through (config-file defaults included).
 *
 * @example
 * const app = await createCrmsync({ cwd });
 * const api = await startApiServer({ runtime: apiRuntimeFromApp(app) });
 */
export function apiRuntimeFromApp(
  app: Crmsync,
  options: { schedulerHealth?: () => Promise<SchedulerHealth> } = {},
): ApiRuntime {
  return createApiRuntime({
    store: app.store,
    plugins: app.plugins.map((p) => ({
      plugin: p.plugin,
      config: p.config,
      configured: p.configured,
    })),
    engine: {
      subscribe: (listener) => app.engine.subscribe(listener),
      syncs: app.syncs,
    },
    secrets: () => app.secrets(),
    writes: app.writes,
    ...(options.schedulerHealth && { schedulerHealth: options.schedulerHealth }),
  });
}
