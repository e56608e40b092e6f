import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@crmsync/core';
import { zohoPlugin } from '@crmsync/plugin-zoho';
import {
  type FakeWatch,
  type FakeZoho,
  fakeZohoConfig,
  startFakeZoho,
} from '@crmsync/plugin-zoho/fake-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiRuntimeFromApp } from '../../src/api/app-runtime.js';
import { type ApiServer, startApiServer } from '../../src/api/server.js';
import { type Crmsync, createCrmsync } from '../../src/app.js';
import { WebhookRenewalLedger, webhookRenewal } from '../../src/hooks/index.js';
import { type Scheduler, startScheduler } from '../../src/scheduler/index.js';
import { type CliProcess, spawnCli } from '../cli/cli-process.js';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  postgresSkipReason,
  type TestDatabase,
} from '../store/test-databases.js';

// `crmsync worker` and `crmsync start` renew expiring webhook subscriptions (Zoho's channels)
// through a repeating Agenda job: here as in those processes (webhookRenewal's job on
// startScheduler), against Zoho's fake, with the job every 100 ms instead of every hour.

const SECRET = 'zoho-channel-token-8c1f';
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Worker {
  app: Crmsync;
  scheduler: Scheduler;
  /** Its renewal log: `<level> <message>`. */
  log: string[];
}

const databases = [
  { name: 'sqlite', skipReason: null, create: async () => createSqliteTestDatabase() },
  {
    name: 'postgresql',
    skipReason: await postgresSkipReason('the webhook renewal tests'),
    create: () => createPostgresTestDatabase(),
  },
];

for (const database of databases)
  describe.skipIf(database.skipReason !== null)(
    `automatic renewal of expiring webhook subscriptions (Zoho) on ${database.name}`,
    () => {
      let zoho: FakeZoho;
      let db: TestDatabase;
      let cwd: string;
      let workers: Worker[];
      let api: ApiServer | undefined;
      const env = () => ({
        ...fakeZohoConfig(zoho),
        ZOHO_WEBHOOK_SECRET: SECRET,
        CRMSYNC_WEBHOOK_RENEW_EVERY_MS: '100',
      });
      /** crmsync's channel watching deals and contacts, expiring `inMs` from now. */
      const channel = (inMs: number) => {
        // Zoho's times have whole seconds.
        const expiresAt = Math.floor((zoho.api.clock.now() + inMs) / 1000) * 1000;
        const watch = (module: string): FakeWatch => ({
          channelId: '1001',
          module,
          events: [`${module}.create`, `${module}.edit`, `${module}.delete`],
          notifyUrl: 'https://sync.example.com/hooks/zoho',
          token: SECRET,
          expiresAt,
          notifyOnRelatedAction: false,
        });
        zoho.watches.push(watch('Deals'), watch('Contacts'));
        return expiresAt;
      };
      const watchRequests = (method: 'GET' | 'POST') =>
        zoho.api.count((r) => r.method === method && r.path.endsWith('/actions/watch'));
      const ledger = () => new WebhookRenewalLedger((workers[0] as Worker).app.store.prisma);
      const worker = async (id: string): Promise<Worker> => {
        const app = await createCrmsync({
          cwd,
          database: db.url,
          plugins: [zohoPlugin],
          env: env(),
        });
        const log: string[] = [];
        const setup = webhookRenewal(app, env(), {
          logger: createLogger('crmsync:hooks:renewal', {
            level: 'info',
            secrets: [SECRET],
            sink: (l) => log.push(`${l.level} ${l.message}`),
          }),
        });
        const scheduler = await startScheduler({
          app,
          env: {},
          workerId: id,
          processEveryMs: 100,
          mirror: false,
          ...(setup?.job && { jobs: [setup.job] }),
        });
        const w = { app, scheduler, log };
        workers.push(w);
        return w;
      };

      beforeEach(async () => {
        zoho = await startFakeZoho();
        db = await database.create();
        cwd = mkdtempSync(path.join(tmpdir(), 'crmsync-renewal-'));
        workers = [];
      });
      afterEach(async () => {
        await api?.close();
        api = undefined;
        for (const w of workers) await w.scheduler.stop();
        for (const w of workers) await w.app.close();
        await zoho.close();
        await db.drop();
        rmSync(cwd, { recursive: true, force: true });
      });

      it('a running worker renews subscriptions about to expire, logs it and records the new expiry', async () => {
        const soon = channel(2 * HOUR);
        const w = await worker('w1');
        const status = await until(
          'the renewal',
          async () => (await ledger().read('zoho'))?.renewedAt,
        );
        expect(status).toBeInstanceOf(Date);
        const record = await ledger().read('zoho');
        const renewed = zoho.watches.map((x) => x.expiresAt);
        expect(renewed).toHaveLength(2);
        // A new expiry, about a week on (the most Zoho allows, less crmsync's few minutes).
        for (const at of renewed) expect(at).toBeGreaterThan(soon + 6 * 24 * HOUR);
        expect(record).toMatchObject({ renewed: 2, error: null });
        expect(record?.expiresAt?.getTime()).toBe(Math.min(...renewed));
        expect(w.log).toContain(
          `info zoho: renewed 2 webhook subscription(s), now expiring ${record?.expiresAt?.toISOString()}`,
        );
        // Zoho got crmsync's secret back as the channel token, unchanged.
        expect(zoho.watches.every((x) => x.token === SECRET)).toBe(true);
      });

      it('leaves alone subscriptions far from expiry', async () => {
        const later = channel(6 * 24 * HOUR);
        await worker('w1');
        // Several looks: each lists the channels, none renews them.
        await until('three looks', async () => watchRequests('GET') >= 3);
        expect(watchRequests('POST')).toBe(0);
        expect(zoho.watches.map((x) => x.expiresAt)).toEqual([later, later]);
        const record = await ledger().read('zoho');
        expect(record).toMatchObject({ renewedAt: null, renewed: null, error: null });
        expect(record?.expiresAt?.getTime()).toBe(later);
      });

      it('two workers renew a subscription once between them', async () => {
        channel(HOUR);
        // The renewal takes a while: two workers looking at once would both renew.
        zoho.api.latencyMs = (r) =>
          r.method === 'POST' && r.path.endsWith('/actions/watch') ? 500 : 0;
        const [a, b] = await Promise.all([worker('w1'), worker('w2')]);
        await until('the renewal', async () => watchRequests('POST') >= 1);
        const after = watchRequests('GET');
        // Both keep looking (the job is every 100 ms): several more looks, no second renewal.
        await until('more looks', async () => watchRequests('GET') >= after + 6);
        expect(watchRequests('POST')).toBe(1);
        expect(
          [...(a as Worker).log, ...(b as Worker).log].filter((l) => l.includes('renewed')),
        ).toHaveLength(1);
        expect(zoho.watches.every((x) => x.expiresAt > zoho.api.clock.now() + WEEK - HOUR)).toBe(
          true,
        );
      });

      it('a worker stopped mid-renewal stops at once and records no failure', async () => {
        channel(2 * HOUR);
        let renewing = 0;
        zoho.api.latencyMs = (r) => {
          if (r.method === 'POST' && r.path.endsWith('/actions/watch')) renewing++;
          return 0;
        };
        zoho.api.fault({
          stall: 'forever',
          match: (r) => r.method === 'POST' && r.path.endsWith('/actions/watch'),
        });
        const w = await worker('w1');
        await until('the renewal to reach Zoho', async () => renewing > 0);
        await w.scheduler.stop();
        expect(await ledger().read('zoho')).toBeNull();
        expect(w.log).toEqual([]);
      });

      it('a failed renewal is logged and shown in Crm.webhooks without the secret; the worker goes on and renews later', async () => {
        channel(2 * HOUR);
        // Zoho refuses the renewal (echoing the token it was sent), then rejects it with a 401,
        // then accepts it: each for as long as the test needs.
        let zohoSays: 'refusal' | '401' | 'ok' = 'refusal';
        const renewal = (r: { method: string; path: string }) =>
          r.method === 'POST' && r.path.endsWith('/actions/watch');
        zoho.api.fault(
          {
            status: 200,
            body: {
              watch: [
                { status: 'error', code: 'INVALID_DATA', message: `token ${SECRET} not accepted` },
              ],
            },
            times: 1_000,
            match: (r) => zohoSays === 'refusal' && renewal(r),
          },
          { status: 401, times: 1_000, match: (r) => zohoSays === '401' && renewal(r) },
        );
        const w = await worker('w1');
        const refused = await until(
          'the refusal recorded',
          async () => (await ledger().read('zoho'))?.error,
        );
        expect(refused).toMatch(/^zoho actions\/watch: token .* not accepted$/);
        expect(refused).not.toContain(SECRET);
        expect(
          w.log.find((l) => l.startsWith('warn zoho: webhook subscriptions not renewed: ')),
        ).toMatch(/zoho actions\/watch: token .* not accepted$/);
        zohoSays = '401';
        const rejected = await until('the 401 recorded', async () => {
          const error = (await ledger().read('zoho'))?.error;
          return error && !error.includes('not accepted') && error;
        });
        expect(rejected).toMatch(/401/);

        api = await startApiServer({
          runtime: apiRuntimeFromApp(w.app),
          host: '127.0.0.1',
          port: 0,
          env: {},
        });
        const query = async () => {
          const res = await fetch(api?.url as string, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query:
                '{ crms { name webhooks { subscriptionsExpireAt subscriptionsCheckedAt lastRenewalAt renewalError } } }',
            }),
          });
          const text = await res.text();
          const body = JSON.parse(text) as {
            data: { crms: Array<{ name: string; webhooks: Record<string, string | null> | null }> };
          };
          return { text, webhooks: body.data.crms.find((c) => c.name === 'zoho')?.webhooks };
        };
        const shown = await query();
        expect(shown.webhooks?.renewalError).toMatch(/401/);
        expect(shown.webhooks?.lastRenewalAt).toBeNull();
        expect(shown.webhooks?.subscriptionsCheckedAt).not.toBeNull();
        expect(shown.text).not.toContain(SECRET);

        // Once Zoho answers again, the same worker renews them and the error is gone.
        zohoSays = 'ok';
        const renewed = await until(
          'the renewal after the failures',
          async () => (await ledger().read('zoho'))?.renewedAt,
        );
        expect(renewed).toBeInstanceOf(Date);
        const after = await query();
        expect(after.webhooks?.renewalError).toBeNull();
        expect(Date.parse(after.webhooks?.subscriptionsExpireAt ?? '')).toBe(
          Math.min(...zoho.watches.map((x) => x.expiresAt)),
        );
        expect(w.log.join('\n')).not.toContain(SECRET);
      });
    },
  );

describe('crmsync worker and webhook renewal', () => {
  it('renews Zoho channels in worker and start processes, unless --no-renew-hooks or CRMSYNC_RENEW_WEBHOOKS=false', {
    timeout: 120_000,
  }, async () => {
    const zoho = await startFakeZoho();
    const db = createSqliteTestDatabase();
    const expiresAt = Math.floor((zoho.api.clock.now() + HOUR) / 1000) * 1000;
    zoho.watches.push({
      channelId: '1001',
      module: 'Deals',
      events: ['Deals.create', 'Deals.edit', 'Deals.delete'],
      notifyUrl: 'https://sync.example.com/hooks/zoho',
      token: SECRET,
      expiresAt,
      notifyOnRelatedAction: false,
    });
    const env = {
      ...fakeZohoConfig(zoho),
      ZOHO_WEBHOOK_SECRET: SECRET,
      CRMSYNC_WEBHOOK_RENEW_EVERY_MS: '100',
    };
    const started: CliProcess[] = [];
    const worker = async (args: string[], extra: Record<string, string> = {}) => {
      const child = spawnCli(['--database', db.url, 'worker', '--poll-ms', '100', ...args], {
        ...env,
        ...extra,
      });
      started.push(child);
      await until('the worker to start', async () => child.out().includes('taking jobs'));
      return child;
    };
    try {
      const off = await worker(['--no-renew-hooks']);
      expect(off.out()).not.toContain('renewing');
      const offByEnv = await worker([], { CRMSYNC_RENEW_WEBHOOKS: 'false' });
      expect(offByEnv.out()).not.toContain('renewing');
      for (const w of [off, offByEnv]) w.kill('SIGTERM');
      expect(await Promise.all([off.code, offByEnv.code])).toEqual([0, 0]);
      expect(zoho.watches[0]?.expiresAt).toBe(expiresAt);

      const on = await worker([]);
      expect(on.out()).toContain('renewing zoho webhook subscriptions');
      const line = await until('the renewal line', async () =>
        /info crmsync:hooks:renewal: zoho: renewed 1 webhook subscription\(s\), now expiring (\S+)/.exec(
          on.err(),
        ),
      );
      expect(Date.parse(line[1] as string)).toBe(zoho.watches[0]?.expiresAt);
      on.kill('SIGTERM');
      expect(await on.code, on.out() + on.err()).toBe(0);
      expect(on.out() + on.err()).not.toContain(SECRET);

      // `crmsync start` renews them too, once they are due again.
      zoho.watches[0] = { ...(zoho.watches[0] as FakeWatch), expiresAt };
      const start = spawnCli(['--database', db.url, 'start', '--port', '0'], env);
      started.push(start);
      await until('start to renew', async () =>
        start.err().includes('zoho: renewed 1 webhook subscription(s)'),
      );
      expect(start.out()).toContain('renewing zoho subscriptions before they expire');
      expect(zoho.watches[0]?.expiresAt).toBeGreaterThan(expiresAt + 6 * 24 * HOUR);
      start.kill('SIGTERM');
      expect(await start.code, start.out() + start.err()).toBe(0);
      expect(start.out() + start.err()).not.toContain(SECRET);
    } finally {
      for (const w of started) w.kill('SIGKILL');
      await Promise.all(started.map((w) => w.code));
      await zoho.close();
      await db.drop();
    }
  });
});
