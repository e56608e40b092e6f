import type { FetchRequest, Page } from '@crmsync/core';
import type { FakerClient } from '../client.js';
import type { FakerEntity, FakerRecord } from '../types.js';

/** Every faker entity reads the same way: cursor pages filtered on `updated_at`. */
export function fetchEntity(entity: FakerEntity) {
  return (client: FakerClient, request: FetchRequest): AsyncIterable<Page<FakerRecord>> => {
    const after =
      typeof request.checkpoint?.cursor === 'string' ? request.checkpoint.cursor : undefined;
    const latencyMs = request.options['latency-ms'];
    return client.pages(entity, {
      limit: request.batchSize,
      signal: request.signal,
      ...(request.since && { since: request.since }),
      ...(request.until && { until: request.until }),
      ...(after && { after }),
      ...(typeof latencyMs === 'number' && latencyMs > 0 && { latencyMs }),
    });
  };
}
