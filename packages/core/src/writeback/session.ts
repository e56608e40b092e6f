import { InputError } from '../contracts/errors.js';
import type { Logger } from '../contracts/logger.js';
import { createRequestMetrics, type RequestMetrics } from '../contracts/metrics.js';
import type { CrmPlugin, EntityDefinition, PluginConfigValues } from '../contracts/plugin.js';
import type { RequestBudgets } from '../contracts/shared-state.js';
import type { WritableFields } from '../contracts/write.js';
import { entitiesFor } from '../engine/sync-engine.js';
import { silentLogger } from '../logging/logger.js';

/** A write to an entity the plugin cannot write: bad input naming the entities it can. */
export class ReadOnlyEntityError extends InputError {
  constructor(crm: string, entity: string, writable: readonly string[]) {
    super(
      'entity',
      writable.length ? `a writable entity of ${crm}: ${writable.join(', ')}` : 'a writable CRM',
      entity,
    );
    this.name = 'ReadOnlyEntityError';
    this.message = writable.length
      ? `${crm} ${entity} is read-only; writable entities: ${writable.join(', ')}`
      : `${crm} is read-only: none of its entities can be written`;
  }
}

/** A plugin's client opened for writing one entity, with the CRM's writable fields. */
export interface WriteSession {
  // biome-ignore lint/suspicious/noExplicitAny: entities differ in their raw record type
  entity: EntityDefinition<any, any>;
  client: unknown;
  metrics: RequestMetrics;
  /** The writable fields from the CRM's metadata, read once per session. */
  writable(): Promise<WritableFields>;
  close(): Promise<void>;
}

/** The plugin's writable entities (`crmsync list` shows them; the rest are read-only). */
export function writableEntities(plugin: CrmPlugin, config: PluginConfigValues = {}): string[] {
  return entitiesFor(plugin, config)
    .filter((e) => e.write)
    .map((e) => e.name);
}

/**
 * Opens a client of the plugin for writing an entity: refuses an unknown or read-only entity
 * naming the ones that can be written.
 *
 * @example
 * const session = await openWriteSession({ plugin, config, entity: 'contacts' });
 * try { await pushChanges({ store, crmSource: plugin.name, entity: session.entity, client: session.client, trigger: 'cli' }); }
 * finally { await session.close(); }
 */
export async function openWriteSession(o: {
  plugin: CrmPlugin;
  config: PluginConfigValues;
  entity: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** The store's shared request budgets (`store.requestBudgets`): the client draws from them. */
  requestBudgets?: RequestBudgets;
}): Promise<WriteSession> {
  const all = entitiesFor(o.plugin, o.config);
  const entity = all.find((e) => e.name === o.entity);
  const writable = all.filter((e) => e.write).map((e) => e.name);
  if (!entity)
    throw new InputError(
      'entity',
      `one of ${o.plugin.name}'s entities: ${all.map((e) => e.name).join(', ')}`,
      o.entity,
    );
  if (!entity.write) throw new ReadOnlyEntityError(o.plugin.name, entity.name, writable);
  const signal = o.signal ?? new AbortController().signal;
  const metrics = createRequestMetrics();
  const client = await o.plugin.createClient({
    config: o.config,
    logger: (o.logger ?? silentLogger()).child(`crmsync:plugin:${o.plugin.name}`),
    metrics,
    signal,
    ...(o.requestBudgets && { requestBudgets: o.requestBudgets }),
  });
  const writer = entity.write;
  let fields: Promise<WritableFields> | undefined;
  return {
    entity,
    client,
    metrics,
    writable: () => {
      fields ??= writer.writableFields(client, signal);
      return fields;
    },
    close: async () => {
      await o.plugin.closeClient?.(client);
    },
  };
}
