import { createRequestMetrics, type FetchRequest } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { appointments } from '../entities/appointments.js';
import geniusPlugin from '../index.js';
import { startGeniusKitFixture } from './kit-fixture.js';
import { memoryLogger, skipReason } from './test-env.js';

type Fixture = Awaited<ReturnType<typeof startGeniusKitFixture>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function readAppointments(f: Fixture, batchSize: number, since?: Date) {
  const metrics = createRequestMetrics();
  const client = await geniusPlugin.createClient({
    config: f.config,
    logger: memoryLogger(),
    metrics,
    signal: new AbortController().signal,
  });
  const request: FetchRequest = {
    mode: since ? 'delta' : 'full',
    ...(since ? { since } : {}),
    batchSize,
    signal: new AbortController().signal,
    options: {},
    logger: memoryLogger(),
  };
  const ids: string[] = [];
  try {
    for await (const page of appointments.fetch(client, request))
      ids.push(...page.records.map((r) => String(r.id)));
  } finally {
    await geniusPlugin.closeClient?.(client);
  }
  return { ids, metrics };
}

describe.skipIf(skipReason !== null)('Genius kit fixture (MariaDB behind a MySQL proxy)', () => {
  it('sees every query through the proxy: a read is one, whatever the page size', async () => {
    fixture = await startGeniusKitFixture({ size: 50 });
    const { ids } = await readAppointments(fixture, 20);
    expect(ids).toHaveLength(50);
    const reads = fixture.proxy.queries.filter((q) => q.includes('FROM `appointment`'));
    expect(reads).toHaveLength(1);
  });

  it('resumes after a dropped connection from the last row served — never OFFSET — with every value escaped', async () => {
    fixture = await startGeniusKitFixture({ size: 50 });
    fixture.injectFault({ kind: 'server-error', count: 1 });
    const { ids } = await readAppointments(fixture, 20, new Date(Date.now() - 90 * 86_400_000));
    expect(ids).toHaveLength(50);
    const reads = fixture.proxy.queries.filter((q) => q.includes('FROM `appointment`'));
    expect(reads).toHaveLength(2);
    for (const sql of reads) {
      expect(sql).not.toMatch(/OFFSET|LIMIT/i);
      expect(sql).toMatch(/WHERE `updated_at` >= '[^']+'.* ORDER BY `updated_at`, `id`$/);
    }
  });

  it('turns a server-error fault into dropped connections the client recovers from', async () => {
    fixture = await startGeniusKitFixture({ size: 50 });
    fixture.injectFault({ kind: 'server-error', count: 2 });
    const { ids, metrics } = await readAppointments(fixture, 20);
    expect(ids).toHaveLength(50);
    expect(metrics.retries).toBe(2);
  });

  it('mutates, adds and corrupts rows so a delta sees exactly them', async () => {
    fixture = await startGeniusKitFixture({ size: 50 });
    const since = new Date(Date.now() - 1000);
    const changed = await fixture.mutate(3);
    const added = await fixture.addRecords(2, new Date());
    const broken = await fixture.corrupt(1);
    const { ids } = await readAppointments(fixture, 10, since);
    expect(ids.sort()).toEqual([...new Set([...changed, ...added, ...broken])].sort());
    const [row] = await fixture.db.execute('SELECT prospect_id FROM appointment WHERE id = ?', [
      broken[0],
    ]);
    expect(row?.prospect_id).toBeNull();
  });
});
