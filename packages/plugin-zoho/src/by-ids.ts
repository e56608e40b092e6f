import type { EntityDefinition, FetchByIdsRequest, Page } from '@crmsync/core';
import type { ZohoClient, ZohoRecord } from './client.js';
import { loadModuleSchema, type ZohoCheckpoint } from './entities/module.js';
import { ZOHO_READ_BATCH, ZohoWriter } from './write.js';

/**
 * A webhook's ids, read through the write side's `ZohoWriter.fetchByIds` (`GET /{Module}?ids=`,
 * ≤ 100 a call, every listable field): one page per call. Zoho leaves ids it no longer has out
 * of the answer without saying why, so they are not reported deleted (its notification says
 * so with `operation: delete`).
 */
export async function* readByIds(
  client: ZohoClient,
  module: string,
  request: FetchByIdsRequest,
): AsyncGenerator<Page<ZohoRecord, ZohoCheckpoint>> {
  const ids = [...new Set(request.ids)];
  const writer = new ZohoWriter(client);
  for (let at = 0; at < ids.length; at += ZOHO_READ_BATCH) {
    const records = await writer.fetchByIds(module, ids.slice(at, at + ZOHO_READ_BATCH), {
      signal: request.signal,
    });
    yield { records };
  }
}

/**
 * The module entity with `fetchByIds`: the module's metadata first (a webhook worker's first
 * read may be this one), then `readByIds`.
 */
export function withReadByIds<E extends EntityDefinition<ZohoClient, ZohoRecord, ZohoCheckpoint>>(
  entity: E,
  module: string,
): E {
  return {
    ...entity,
    async *fetchByIds(client: ZohoClient, request: FetchByIdsRequest) {
      await loadModuleSchema(entity, client, request.signal);
      yield* readByIds(client, module, request);
    },
  };
}
