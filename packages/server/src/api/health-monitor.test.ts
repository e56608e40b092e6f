import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CrmsyncError, type CrmPlugin, type HealthResult } from '@crmsync/core';
import { describe, expect, it } from 'vitest';
import type { ApiPlugin, ApiRuntime } from '../runtime/api-runtime.js';
import { HealthMonitor, healthReason } from './health-monitor.js';

function plugin(name: string, health: ApiPlugin['health'], configured = true): ApiPlugin {
  return {
    plugin: { name, displayName: name } as CrmPlugin,
    configured,
    entities: [],
    ...(health && { health }),
  };
}

function runtime(plugins: ApiPlugin[]): ApiRuntime {
  return {
    plugins,
    provider: 'sqlite',
    ping: async () => 1.234,
    secretValues: () => [],
  } as unknown as ApiRuntime;
}

/** A port that refuses connections: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('background health checks', () => {
  it('says why: access denied, connection refused at once, a retried failure at the timeout', async () => {
    const port = await closedPort();
    const monitor = new HealthMonitor(
      runtime([
        plugin('ok', async (): Promise<HealthResult> => ({ ok: true, latencyMs: 12 })),
        plugin('denied', async () => {
          throw new CrmsyncError('auth', "Genius: Access denied for user 'crm'@'localhost'");
        }),
        plugin('refused', async (signal) => {
          await fetch(`http://127.0.0.1:${port}/`, { signal });
          return { ok: true, latencyMs: 1 };
        }),
        plugin('retrying', (signal, onWarning) => {
          onWarning?.(
            `callrail: network error: connect ECONNREFUSED 127.0.0.1:${port} (ECONNREFUSED); retrying`,
          );
          return new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason)),
          );
        }),
        plugin('unhealthy', async () => ({
          ok: false,
          latencyMs: 15,
          message: 'HTTP 401 from /v3/a.json',
        })),
        plugin('off', undefined, false),
      ]),
      { timeoutMs: 300 },
    );
    // Before the first round: answered at once, as not checked yet.
    expect(monitor.crms().find((c) => c.crm === 'refused')).toMatchObject({
      reachable: null,
      message: 'checking…',
      checkedAt: null,
    });
    const started = Date.now();
    await monitor.refresh();
    expect(Date.now() - started).toBeLessThan(5_000);
    const byName = new Map(monitor.crms().map((c) => [c.crm, c]));
    expect(byName.get('ok')).toMatchObject({ reachable: true, latencyMs: 12, message: null });
    expect(byName.get('denied')?.message).toBe("Genius: Access denied for user 'crm'@'localhost'");
    expect(byName.get('refused')).toMatchObject({ reachable: false });
    expect(byName.get('refused')?.message).toMatch(/^Connection refused: /);
    expect(byName.get('retrying')?.message).toMatch(
      /^Connection refused: callrail: network error: connect ECONNREFUSED .* \(still failing after 300 ms\)$/,
    );
    expect(byName.get('unhealthy')).toMatchObject({ reachable: false, latencyMs: 15 });
    expect(byName.get('unhealthy')?.message).toMatch(/^Access denied: HTTP 401/);
    expect(byName.get('off')).toMatchObject({ reachable: null, message: 'not configured' });
    for (const name of ['ok', 'denied', 'refused', 'retrying'])
      expect(byName.get(name)?.checkedAt).toBeInstanceOf(Date);
    expect(await monitor.database()).toMatchObject({ reachable: true, latencyMs: 1.23 });
    expect(monitor.eventBus()).toMatchObject({ kind: 'in-process', reachable: true });
  });

  it('a hanging CRM never holds an answer: cached answers come at once while a round runs', async () => {
    let calls = 0;
    const monitor = new HealthMonitor(
      runtime([
        plugin('slow', (signal) => {
          calls++;
          return new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason)),
          );
        }),
      ]),
      { timeoutMs: 200, intervalMs: 60_000 },
    );
    await monitor.refresh();
    expect(monitor.crms()[0]).toMatchObject({
      reachable: false,
      message: 'no answer within 200 ms',
    });
    const round = monitor.refresh();
    // Joined, not doubled; the cached answer is served while it runs.
    expect(monitor.refresh()).toBe(round);
    expect(monitor.crms()[0]?.reachable).toBe(false);
    await round;
    expect(calls).toBe(2);
  });

  it('probes the event bus and reports it down with the reason', async () => {
    const port = await closedPort();
    const monitor = new HealthMonitor(runtime([]), {
      timeoutMs: 500,
      eventBus: {
        kind: 'redis',
        ping: async (signal) => {
          await fetch(`http://127.0.0.1:${port}/`, { signal });
        },
      },
    });
    expect(monitor.eventBus()).toMatchObject({ kind: 'redis', message: 'checking…' });
    await monitor.refresh();
    expect(monitor.eventBus()).toMatchObject({ kind: 'redis', reachable: false });
    expect(monitor.eventBus().message).toMatch(/^Connection refused/);
  });

  it('reads reasons from driver codes in the cause chain', () => {
    const mysql = Object.assign(new Error("Access denied for user 'x'"), {
      code: 'ER_ACCESS_DENIED_ERROR',
    });
    expect(healthReason(new Error('connect failed', { cause: mysql }))).toBe(
      'Access denied: connect failed',
    );
    expect(healthReason(new Error("Access denied for user 'x'"))).toBe(
      "Access denied for user 'x'",
    );
    expect(healthReason(new Error('getaddrinfo ENOTFOUND nowhere.invalid'))).toBe(
      'Host not found: getaddrinfo ENOTFOUND nowhere.invalid',
    );
    expect(healthReason(new Error('something odd'))).toBe('something odd');
  });
});
