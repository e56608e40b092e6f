import { CrmsyncError, type FetchByIdsRequest, type Page } from '@crmsync/core';
import type { CallRailClient, CallRailRecord } from './client.js';

/** Records a page of a by-id read holds (one GET each). */
const PAGE = 50;

/**
 * Reads records one by one (`GET /v3/a/{account}/{path}/{id}.json`: CallRail has no batch
 * read), with `query` (the calls' `fields=`). A 404 means CallRail no longer has the record:
 * it is reported deleted. Pages of 50, so a big webhook burst checkpoints as it goes.
 */
export async function* readByIds(
  client: CallRailClient,
  path: string,
  request: FetchByIdsRequest,
  query: Record<string, string> = {},
): AsyncGenerator<Page<CallRailRecord>> {
  const ids = [...new Set(request.ids)];
  for (let at = 0; at < ids.length; at += PAGE) {
    const records: CallRailRecord[] = [];
    const deletedIds: string[] = [];
    for (const id of ids.slice(at, at + PAGE)) {
      try {
        records.push(
          await client.get<CallRailRecord>(
            client.url(`${path}/${encodeURIComponent(id)}`, query),
            request.signal,
          ),
        );
      } catch (error) {
        if (error instanceof CrmsyncError && error.context.status === 404) deletedIds.push(id);
        else throw error;
      }
    }
    yield { records, ...(deletedIds.length > 0 && { deletedIds }) };
  }
}
