import type { FetchByIdsRequest, Page } from '@crmsync/core';
import type { ZohoClient, ZohoRecord } from './client.js';
import type { ZohoCheckpoint } from './entities/module.js';
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
