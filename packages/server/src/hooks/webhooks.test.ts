import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SyncEngine } from '@crmsync/core';
import { hubspotPlugin } from '@crmsync/plugin-hubspot';
import { FakeHubspotServer, HubspotWebhookSender } from '@crmsync/plugin-hubspot/fake-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../../test/store/store-backends.js';
import type { PrismaStore } from '../store/prisma-store.js';
import { createWebhookHandler, enabledWebhooks } from './webhook-endpoint.js';
import { WebhookProcessor } from './webhook-processor.js';
import { WebhookEventStore } from './webhook-store.js';

const SECRET = 'hubspot-app-client-secret';
const later = (ms: number) => new Date(Date.now() + ms);

for (const backend of [sqliteBackend(), await postgresBackend()]) {
  describe.skipIf(backend.skipReason !== null)(`HubSpot webhooks on ${backend.name}`, () => {
    let fake: FakeHubspotServer;
    let store: PrismaStore;
    let events: WebhookEventStore;
    let server: Server;
    let url: string;
    let warnings: string[];
    const sender = new HubspotWebhookSender();
    const config = () => ({
      HUBSPOT_ACCESS_TOKEN: fake.accessToken,
      HUBSPOT_BASE_URL: fake.baseUrl,
    });
    const processor = (workerId = 'w1', token?: string) =>
      new WebhookProcessor({
        store: events,
        engine: new SyncEngine({ store }),
        targets: new Map([
          [
            'hubspot',
            {
              plugin: hubspotPlugin,
              config: { ...config(), ...(token && { HUBSPOT_ACCESS_TOKEN: token }) },
            },
          ],
        ]),
        workerId,
      });
    const contacts = async () =>
      new Map(
        (
          await store.prisma.crmRecord.findMany({
            where: { crmSource: 'hubspot', entity: 'contacts' },
          })
        ).map((r) => [r.externalId, r]),
      );

    beforeAll(() => backend.setup());
    afterAll(() => backend.teardown());
    beforeEach(async () => {
      fake = await FakeHubspotServer.start({ counts: { contacts: 120 }, rateLimit: null });
      store = await backend.open();
      events = new WebhookEventStore(store.prisma, { leaseMs: 30_000, retryBaseMs: 1_000 });
      warnings = [];
      const logger = {
        debug() {},
        info() {},
        warn: (m: string) => warnings.push(m),
        error: (m: string) => warnings.push(m),
        child: () => logger,
      };
      const handler = createWebhookHandler({
        enabled: enabledWebhooks([hubspotPlugin], { HUBSPOT_WEBHOOK_SECRET: SECRET }),
        store: events,
        logger,
      });
      server = createServer((req, res) => {
        if (!handler(req, res)) res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/hubspot`;
      const engine = new SyncEngine({ store });
      const first = await engine.runEntity({
        plugin: hubspotPlugin,
        entity: 'contacts',
        config: config(),
      });
      expect(first.status).toBe('success');
    });
    afterEach(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.close();
    });

    it('re-reads changed records by id and soft-deletes deleted ones, in one webhook run', async () => {
      const objects = fake.objects('contacts');
      objects.touch([5, 6, 7], new Date(), (o) => {
        o.properties.firstname = 'Pushed';
      });
      objects.archive([9], new Date());
      const batch = [
        ...sender.events('contact.propertyChange', [5, 6, 7]),
        ...sender.events('contact.deletion', [9]),
      ];
      expect(await sender.send(url, batch, { clientSecret: SECRET })).toEqual([200]);
      // The vendor retries a delivery: same event ids, dropped.
      expect(await sender.send(url, batch, { clientSecret: SECRET })).toEqual([200]);
      expect(await store.prisma.webhookEvent.count()).toBe(4);

      const requestsBefore = fake.api.requests.length;
      // Inside the debounce window (its newest event 400 ms old) nothing is claimed yet; the
      // clock is the events' own, so a slow machine does not move the window.
      const newest = await store.prisma.webhookEvent.findFirst({ orderBy: { id: 'desc' } });
      const inWindow = new Date((newest?.receivedAt.getTime() ?? 0) + 400);
      expect(await processor().processOnce(inWindow)).toBeNull();
      const run = await processor().processOnce(later(1_000));
      expect(run).toMatchObject({ trigger: 'webhook', status: 'success' });
      expect(run?.configuration.webhook).toEqual({ events: 4, ids: 3, deleted: 1 });
      expect(run?.counts).toMatchObject({ processed: 3, updated: 3, deleted: 1 });
      const calls = fake.api.requests.slice(requestsBefore);
      expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /crm/v3/objects/contacts/batch/read',
      ]);
      const rows = await contacts();
      expect(rows.size).toBe(120);
      for (const id of ['5', '6', '7'])
        expect((rows.get(id)?.data as Record<string, unknown> | undefined)?.firstname).toBe(
          'Pushed',
        );
      expect(rows.get('9')?.deletedAt).toBeInstanceOf(Date);
      expect([...rows.values()].filter((r) => r.deletedAt).length).toBe(1);
      expect(
        await store.prisma.webhookEvent.count({ where: { status: 'done', runId: run?.id } }),
      ).toBe(4);
      // A targeted run is no base for the next delta.
      const next = await new SyncEngine({ store }).runEntity({
        plugin: hubspotPlugin,
        entity: 'contacts',
        config: config(),
      });
      expect(next.sinceTime?.getTime()).toBeLessThan(run?.startTime.getTime() ?? 0);
    });

    it('refuses a bad signature, a replay outside the window, and an oversized body, storing nothing', async () => {
      const batch = sender.events('contact.propertyChange', [1]);
      expect(await sender.send(url, batch, { clientSecret: 'not-the-secret' })).toEqual([401]);
      expect(
        await sender.send(url, batch, { clientSecret: SECRET, timestamp: Date.now() - 6 * 60_000 }),
      ).toEqual([401]);
      const big = `[${'{"x":1},'.repeat(150_000)}{"x":1}]`;
      expect(await sender.post(url, big, { clientSecret: SECRET })).toBe(413);
      expect(await store.prisma.webhookEvent.count()).toBe(0);
      expect(warnings.some((w) => w.includes('bad-signature'))).toBe(true);
      expect(warnings.some((w) => w.includes('stale-timestamp'))).toBe(true);
      // Logged without the body.
      expect(warnings.join('\n')).not.toContain('propertyChange');
      // A body that verifies but is not HubSpot's shape: 400 naming what was expected.
      const res = await sender.post(url, '{"eventId":1}', { clientSecret: SECRET });
      expect(res).toBe(400);
    });

    it('coalesces a burst of events into one run of batch reads', async () => {
      const ids = Array.from({ length: 120 }, (_, i) => i + 1);
      const burst = [1, 2, 3, 4, 5].flatMap(() => sender.events('contact.propertyChange', ids));
      expect(burst).toHaveLength(600);
      const statuses = await sender.send(url, burst, { clientSecret: SECRET });
      expect(statuses.every((s) => s === 200)).toBe(true);
      const before = fake.api.requests.length;
      const worker = processor();
      const run = await worker.processOnce(later(1_000));
      expect(run?.configuration.webhook).toEqual({ events: 600, ids: 120, deleted: 0 });
      expect(await worker.processOnce(later(1_000))).toBeNull();
      // 120 distinct ids, 100 per batch read.
      expect(fake.api.requests.length - before).toBe(2);
      expect(await store.prisma.syncHistory.count({ where: { trigger: 'webhook' } })).toBe(1);
    });

    it('loses no event when a worker dies holding them, and retries a failed run', async () => {
      await sender.send(url, sender.events('contact.propertyChange', [11, 12]), {
        clientSecret: SECRET,
      });
      // Worker A claims the events and dies before running anything.
      const dead = await events.claim('dead-worker', 0, later(1_000));
      expect(dead?.events).toHaveLength(2);
      // While its lease holds, nobody else takes them…
      expect(await processor('w2').processOnce(later(2_000))).toBeNull();
      // …then they are claimed again and processed.
      // This worker's token was revoked: its run fails and the events wait for a retry.
      const failed = await processor('w2', 'pat-revoked').processOnce(later(31_000 + 1_000));
      expect(failed).toMatchObject({ status: 'failed', errorKind: 'auth' });
      const pending = await store.prisma.webhookEvent.findMany();
      expect(pending.every((e) => e.status === 'pending' && e.attempts === 1 && e.lastError)).toBe(
        true,
      );
      // Not before the retry's backoff…
      expect(await processor('w3').processOnce(later(31_000 + 1_500))).toBeNull();
      const today = new Date(Date.now() - 60_000);
      expect(await events.status('hubspot', today)).toMatchObject({
        received: 2,
        pending: 2,
        retrying: 2,
        failed: 0,
        lastError: expect.any(String),
      });
      expect((await events.status('hubspot', today)).lastEventAt).toBeInstanceOf(Date);
      const retried = await processor('w3').processOnce(later(31_000 + 3_000));
      expect(retried).toMatchObject({ status: 'success', trigger: 'webhook' });
      expect(await store.prisma.webhookEvent.count({ where: { status: 'done' } })).toBe(2);
      expect(await events.status('hubspot', today)).toMatchObject({
        received: 2,
        pending: 0,
        retrying: 0,
        failed: 0,
        lastError: null,
      });
      expect(await events.status('zoho', today)).toEqual({
        lastEventAt: null,
        received: 0,
        pending: 0,
        retrying: 0,
        failed: 0,
        lastError: null,
      });
      // The dead worker's late completion changes nothing.
      if (dead) await events.complete(dead, 'stale-run');
      expect(await store.prisma.webhookEvent.count({ where: { runId: 'stale-run' } })).toBe(0);
    });
  });
}
