import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubspotPlugin } from '@crmsync/plugin-hubspot';
import { FakeHubspotServer, HubspotWebhookSender } from '@crmsync/plugin-hubspot/fake-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookHandler, enabledWebhooks } from '../../src/hooks/webhook-endpoint.js';
import { WebhookEventStore } from '../../src/hooks/webhook-store.js';
import { type CliProcess, spawnCli } from '../cli/cli-process.js';
import { postgresBackend, sqliteBackend } from '../store/store-backends.js';

// `crmsync worker` processes the webhook events an API process stored. A worker killed with -9
// in the middle of a webhook run loses nothing: the next worker notices the dead claim at once
// (its process is gone), reaps the killed run and processes every event in one run.

const SECRET = 'hubspot-app-client-secret';
const IDS = Array.from({ length: 60 }, (_, i) => i + 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  ms = 40_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

for (const backend of [sqliteBackend(), await postgresBackend()]) {
  describe.skipIf(backend.skipReason !== null)(
    `crmsync worker and webhooks on ${backend.name}`,
    () => {
      beforeAll(() => backend.setup());
      afterAll(() => backend.teardown());

      it('a worker killed with -9 mid-run loses no event; the next one processes each once', {
        timeout: 120_000,
      }, async () => {
        const fake = await FakeHubspotServer.start({ counts: { contacts: 200 }, rateLimit: null });
        const store = await backend.open();
        const events = new WebhookEventStore(store.prisma);
        const handler = createWebhookHandler({
          enabled: enabledWebhooks([hubspotPlugin], { HUBSPOT_WEBHOOK_SECRET: SECRET }),
          store: events,
        });
        const server: Server = createServer((req, res) => {
          if (!handler(req, res)) res.writeHead(404).end();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/hubspot`;
        const workers: CliProcess[] = [];
        // The store's URL with its schema (PostgreSQL: a schema per test), as DATABASE_URL takes it.
        const database = new URL(store.target.url);
        if (store.target.schema) database.searchParams.set('schema', store.target.schema);
        const worker = async () => {
          const child = spawnCli(
            ['--database', database.toString(), 'worker', '--poll-ms', '500'],
            {
              HUBSPOT_ACCESS_TOKEN: fake.accessToken,
              HUBSPOT_BASE_URL: fake.baseUrl,
              CRMSYNC_WEBHOOK_POLL_MS: '50',
            },
          );
          workers.push(child);
          await until(
            'the worker to start',
            async () => child.out().includes('webhook events'),
            60_000,
          ).catch((error: Error) => {
            throw new Error(`${error.message}\n${child.out()}\n${child.err()}`);
          });
          return child;
        };
        const webhookRuns = () =>
          store.prisma.syncHistory.findMany({
            where: { trigger: 'webhook' },
            orderBy: { id: 'asc' },
          });
        try {
          const sender = new HubspotWebhookSender();
          const batch = sender.events('contact.creation', IDS);
          expect(await sender.send(url, batch, { clientSecret: SECRET })).toEqual([200]);
          // The vendor delivers the same events again: stored once.
          expect(await sender.send(url, batch, { clientSecret: SECRET })).toEqual([200]);
          expect(await store.prisma.webhookEvent.count()).toBe(IDS.length);

          // The first worker's batch read hangs long enough to kill it mid-run. Reads are
          // counted as they arrive: the fake logs a request only once it has answered it.
          let readsStarted = 0;
          let hang = true;
          fake.api.latencyMs = (r) => {
            if (!r.path.endsWith('/batch/read')) return 0;
            readsStarted += 1;
            return hang ? 15_000 : 0;
          };
          const first = await worker();
          const killed = await until('a running webhook run', async () =>
            (await webhookRuns()).find((r) => r.status === 'running'),
          );
          await until('the batch read to reach the fake', async () => readsStarted > 0);
          first.kill('SIGKILL');
          expect(await first.code).toBeNull();
          hang = false;
          const held = await store.prisma.webhookEvent.findMany();
          expect(held.every((e) => e.status === 'pending' && e.claimedBy !== null)).toBe(true);
          expect((await store.getRun(killed.id))?.status).toBe('running');

          const second = await worker();
          await until(
            'every event processed',
            async () =>
              (await store.prisma.webhookEvent.count({ where: { status: 'done' } })) === IDS.length,
          );
          const runs = await webhookRuns();
          // The killed run, reaped; one run for all the events, nothing processed twice.
          expect(runs).toHaveLength(2);
          expect(runs[0]).toMatchObject({ id: killed.id, status: 'failed', errorKind: 'system' });
          expect(runs[0]?.errorMessage).toMatch(/^interrupted: hubspot contacts: .*is gone/);
          const done = runs[1];
          expect(done).toMatchObject({
            status: 'success',
            trigger: 'webhook',
            syncType: 'contacts',
          });
          const rows = await store.prisma.webhookEvent.findMany();
          expect(rows.every((e) => e.runId === done?.id && e.attempts === 0 && !e.claimedBy)).toBe(
            true,
          );
          // One batch read by each worker: the killed one's and the one that counted.
          expect(readsStarted).toBe(2);

          // Every event's record is in the store exactly once, as the fake has it.
          const records = await store.prisma.crmRecord.findMany({
            where: { crmSource: 'hubspot', entity: 'contacts' },
          });
          expect(records.map((r) => r.externalId).sort()).toEqual(IDS.map(String).sort());
          const objects = fake.objects('contacts');
          for (const r of records) {
            const source = objects.get(Number(r.externalId));
            expect((r.data as { email?: unknown }).email).toBe(source?.properties.email);
          }

          second.kill('SIGTERM');
          expect(await second.code, second.out() + second.err()).toBe(0);
          expect(await store.prisma.syncHistory.count({ where: { status: 'running' } })).toBe(0);
        } catch (error) {
          const logs = workers.map((w, i) => `worker ${i + 1}:\n${w.out()}${w.err()}`).join('\n');
          throw new Error(`${(error as Error).message}\n${logs}`);
        } finally {
          for (const w of workers) w.kill('SIGKILL');
          await Promise.all(workers.map((w) => w.code));
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await fake.close();
        }
      });
    },
  );
}
