import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestMetrics, type Logger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CallRailFakeServer } from './fake-server/index.js';
import { createCallRailTransport, type QuotaWindow } from './transport.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const signal = new AbortController().signal;
let fake: CallRailFakeServer;
afterEach(async () => fake?.close());

function transport(
  metrics = createRequestMetrics(),
  quotas: QuotaWindow[] = [{ limit: 1000, windowMs: 3_600_000 }],
  apiKey = fake.apiKey,
) {
  return createCallRailTransport({
    apiKey,
    baseUrl: fake.baseUrl,
    quotas,
    metrics,
    logger: quiet,
    backoffMs: 10,
  });
}

describe('CallRail transport', () => {
  it('holds requests until the window has room', async () => {
    fake = await CallRailFakeServer.start();
    const metrics = createRequestMetrics();
    // A window long beside a request on a busy machine, so the window is what holds them.
    const get = transport(metrics, [{ limit: 3, windowMs: 600 }]);
    const started = Date.now();
    for (let i = 0; i < 7; i++) await get(`${fake.baseUrl}/a.json`, signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
    expect(metrics.throttled).toBe(2);
  });

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

  it('stays under the hourly and the daily window at once', async () => {
    fake = await CallRailFakeServer.start({
      hourlyLimit: 4,
      hourMs: 200,
      dailyLimit: 6,
      dayMs: 600,
    });
    const get = transport(createRequestMetrics(), [
      { limit: 4, windowMs: 200 },
      { limit: 6, windowMs: 600 },
    ]);
    const started = Date.now();
    for (let i = 0; i < 8; i++) await get(`${fake.baseUrl}/a.json`, signal);
    // The seventh request waits for the first to leave the daily window, not the hourly one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(0);
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

  it('keeps the API key out of errors and retry warnings, even when CallRail echoes it', async () => {
    const apiKey = 'cr-live-5ecret-key';
    let calls = 0;
    const echo = createServer((req, res) => {
      const status = ++calls === 1 ? 502 : 400;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `refused ${req.headers.authorization}` }));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/v3/a.json`;
    const warnings: string[] = [];
    const logger: Logger = { ...quiet, warn: (message) => warnings.push(message) };
    const get = createCallRailTransport({
      apiKey,
      baseUrl: new URL(url).origin,
      quotas: [{ limit: 10, windowMs: 1000 }],
      metrics: createRequestMetrics(),
      logger,
      backoffMs: 10,
    });
    try {
      const error = await get(url, signal).catch((e: Error) => e);
      expect(error).toMatchObject({ kind: 'config', message: /refused Token token=/ });
      expect((error as Error).message).not.toContain(apiKey);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/HTTP 502.*refused Token token=/);
      expect(warnings[0]).not.toContain(apiKey);
    } finally {
      echo.closeAllConnections();
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });
});
