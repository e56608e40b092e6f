import type { CrmPlugin, Logger, PluginConfigValues } from '@crmsync/core';

/**
 * Opens `plugin`'s client with `config`, runs `use`, closes it: how `crmsync hooks` and the
 * workers' renewal reach a CRM's subscriptions API.
 */
export async function withPluginClient<T>(
  target: { plugin: CrmPlugin; config: PluginConfigValues },
  logger: Logger,
  signal: AbortSignal,
  use: (client: unknown) => Promise<T>,
): Promise<T> {
  const { plugin } = target;
  // Core's main entry loads only when a CRM is called, not for `crmsync --help`.
  const { createRequestMetrics } = await import('@crmsync/core');
  const client = await plugin.createClient({
    config: target.config,
    logger,
    metrics: createRequestMetrics(),
    signal,
  });
  try {
    return await use(client);
  } finally {
    await plugin.closeClient?.(client);
  }
}
