import { type RestEntitySpec, restEntity } from '@crmsync/core';
import type { FakerRecord } from '../fake-server/dataset.js';

type Declared = Pick<
  RestEntitySpec<FakerRecord>,
  'displayName' | 'description' | 'fields' | 'rules' | 'dependsOn'
>;

/** Every faker entity reads the same way: cursor pages filtered on `updated_at` in [since, before). */
export function fakerEntity(name: string, spec: Declared) {
  return restEntity<FakerRecord>({
    name,
    ...spec,
    path: `/v1/${name}`,
    records: 'results',
    total: 'total',
    pagination: { style: 'cursor', param: 'after', next: 'paging.next.after', limitParam: 'limit' },
    pageSize: { default: 100, max: 1000 },
    delta: {
      kind: 'updated-since',
      field: 'updated_at',
      since: 'updated_since',
      until: 'updated_before',
    },
    updatedAtField: 'updated_at',
    createdAtField: 'created_at',
    // `--latency-ms`: the API waits that long before each page, to show a slow CRM.
    query: ({ options }) => ({ latency_ms: Number(options['latency-ms']) || undefined }),
  });
}
