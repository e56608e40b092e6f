import { createRequestMetrics, type Logger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CallRailFakeServer } from './fake-server/index.js';
import { SlidingQuota } from './quota.js';
import { createCallRailTransport } from './transport.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const signal = new AbortController().signal;
let fake: CallRailFakeServer;
afterEach(async () => fake?.close());

function transport(
  metrics = createRequestMetrics(),
  quotas = [{ limit: 1000, windowMs: 3_600_000 }],
  apiKey = fake.apiKey,
) {
  return createCallRailTransport({ apiKey, quotas, metrics, logger: quiet, backoffMs: 10 });
}

describe('SlidingQuota', () => {
  it('holds requests until the window has room', async () => {
    const metrics = createRequestMetrics();
    const quota = new SlidingQuota([{ limit: 3, windowMs: 200 }], metrics);
    const started = Date.now();
    for (let i = 0; i < 7; i++) await quota.take(signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(metrics.throttled).toBe(2);
  });
});

describe('CallRail transport', () => {
  it('backs off on a bare 429 and on 5xx, then succeeds', async () => {
    fake = await CallRailFakeServer.start();
    const metrics = createRequestMetrics();
    fake.injectFault({ kind: 'rate-limit' });
    fake.injectFault({ kind: 'server-error', count: 2 });
    const body = await transport(metrics)<{ accounts: unknown[] }>(
      `${fake.baseUrl}/a.json`,
      signal,
    );
    expect(body.accounts).toHaveLength(1);
    expect(metrics.retries).toBe(3);
    expect(metrics.throttled).toBe(1);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 500, 500, 200]);
  });

  it('stays under the fake’s hourly limit when told the same limit (no 429s)', async () => {
    fake = await CallRailFakeServer.start({ hourlyLimit: 5, hourMs: 300 });
    const get = transport(createRequestMetrics(), [{ limit: 5, windowMs: 300 }]);
    for (let i = 0; i < 12; i++) await get(`${fake.baseUrl}/a.json`, signal);
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(0);
    expect(fake.requests).toHaveLength(12);
  });

  it('classifies a wrong key as auth and an out-of-retention range as config, with CallRail’s message', async () => {
    fake = await CallRailFakeServer.start();
    await expect(
      transport(undefined, undefined, 'wrong')(`${fake.baseUrl}/a.json`, signal),
    ).rejects.toMatchObject({
      kind: 'auth',
      context: { crm: 'callrail', status: 401 },
    });
    const url = `${fake.baseUrl}/a/${fake.accountId}/calls.json?date_range=all_time`;
    await expect(transport()(url, signal)).rejects.toMatchObject({
      kind: 'config',
      message: /25 months/,
    });
  });
});
