import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callrailPlugin } from '@crmsync/plugin-callrail';
import { sendCallRailWebhook } from '@crmsync/plugin-callrail/fake-server';
import { pipedrivePlugin } from '@crmsync/plugin-pipedrive';
import { sendPipedriveWebhook } from '@crmsync/plugin-pipedrive/fake-server';
import { zohoPlugin } from '@crmsync/plugin-zoho';
import { sendZohoNotification } from '@crmsync/plugin-zoho/fake-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../test/store/store-backends.js';
import type { PrismaStore } from '../store/prisma-store.js';
import { createWebhookHandler, enabledWebhooks } from './webhook-endpoint.js';
import { WebhookEventStore } from './webhook-store.js';

const backend = sqliteBackend();

describe('CallRail, Zoho and Pipedrive webhook endpoints', () => {
  let store: PrismaStore;
  let server: Server;
  let base: string;
  const env = {
    CALLRAIL_WEBHOOK_SECRET: 'cr-signing-key',
    ZOHO_WEBHOOK_SECRET: 'zoho-channel-token',
    PIPEDRIVE_WEBHOOK_SECRET: 'crmsync:pd-hook-pass',
  };
  const stored = (crmSource: string) =>
    store.prisma.webhookEvent.findMany({ where: { crmSource }, orderBy: { id: 'asc' } });

  beforeAll(async () => {
    store = await backend.open();
    const handler = createWebhookHandler({
      enabled: enabledWebhooks([callrailPlugin, zohoPlugin, pipedrivePlugin], env),
      store: new WebhookEventStore(store.prisma),
    });
    server = createServer((req, res) => {
      if (!handler(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await backend.teardown();
  });

  it('is off for a CRM without its secret', () => {
    expect(
      enabledWebhooks([callrailPlugin, zohoPlugin], { ZOHO_WEBHOOK_SECRET: 't' }),
    ).toHaveLength(1);
  });

  it('accepts CallRail bodies signed with the signing key, once, with the record', async () => {
    const call = {
      resource_id: 'CAL8154748ae6bd4e278a7cddd38a662f4f',
      answered: true,
      duration: 61,
    };
    const url = `${base}/callrail/calls`;
    expect(await sendCallRailWebhook(url, call, { signingKey: env.CALLRAIL_WEBHOOK_SECRET })).toBe(
      200,
    );
    expect(await sendCallRailWebhook(url, call, { signingKey: env.CALLRAIL_WEBHOOK_SECRET })).toBe(
      200,
    );
    expect(await sendCallRailWebhook(url, call, { signingKey: 'wrong-key' })).toBe(401);
    expect(
      await sendCallRailWebhook(`${base}/callrail/tags`, call, {
        signingKey: env.CALLRAIL_WEBHOOK_SECRET,
      }),
    ).toBe(400);
    const rows = await stored('callrail');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      entity: 'calls',
      ids: [call.resource_id],
      deleted: false,
      record: call,
    });
  });

  it('accepts Zoho notifications carrying the channel token; deletes soft-delete', async () => {
    const url = `${base}/zoho`;
    const token = env.ZOHO_WEBHOOK_SECRET;
    expect(
      await sendZohoNotification(url, {
        module: 'Deals',
        ids: ['1', '2'],
        operation: 'update',
        token,
      }),
    ).toBe(200);
    expect(
      await sendZohoNotification(url, { module: 'Leads', ids: ['7'], operation: 'delete', token }),
    ).toBe(200);
    expect(
      await sendZohoNotification(url, {
        module: 'Deals',
        ids: ['3'],
        operation: 'update',
        token: 'guess',
      }),
    ).toBe(401);
    const rows = await stored('zoho');
    expect(rows.map((r) => [r.entity, r.ids, r.deleted])).toEqual([
      ['deals', ['1', '2'], false],
      ['leads', ['7'], true],
    ]);
  });

  it("accepts Pipedrive deliveries with the webhook's Basic credentials", async () => {
    const url = `${base}/pipedrive`;
    const auth = { user: 'crmsync', password: 'pd-hook-pass' };
    expect(
      await sendPipedriveWebhook(url, { action: 'change', entity: 'deal', id: 42 }, auth),
    ).toBe(200);
    expect(
      await sendPipedriveWebhook(url, { action: 'delete', entity: 'person', id: 8 }, auth),
    ).toBe(200);
    expect(
      await sendPipedriveWebhook(
        url,
        { action: 'change', entity: 'deal', id: 43 },
        { ...auth, password: 'x' },
      ),
    ).toBe(401);
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401);
    const rows = await stored('pipedrive');
    expect(rows.map((r) => [r.entity, r.ids, r.deleted])).toEqual([
      ['deals', ['42'], false],
      ['persons', ['8'], true],
    ]);
  });

  it('answers 404 for a CRM without an endpoint, 405 for another method', async () => {
    expect((await fetch(`${base}/hubspot`, { method: 'POST', body: '[]' })).status).toBe(404);
    expect((await fetch(`${base}/zoho`)).status).toBe(405);
  });
});
