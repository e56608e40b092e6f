import { mkdir } from 'node:fs/promises';
import { FakeHubspotServer, HubspotWebhookSender } from '@crmsync/plugin-hubspot/fake-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  missingPrerequisite,
  type StartedCrmsync,
  screenshotDir,
  shoot,
  startCrmsync,
  waitUntilIdle,
} from './harness.js';

// The CRM page's webhook card (issue 27): `crmsync start` with HubSpot's webhook secret set
// receives signed deliveries (and one with a bad signature), processes them into a webhook run,
// and the card shows the events, the refused delivery and the run.

const missing = missingPrerequisite();
if (missing && process.env.CI === 'true')
  throw new Error(`webhook browser test cannot run: ${missing}`);
if (missing) console.warn(`skipping the webhook browser test: ${missing}`);

const SECRET = 'ui-test-hubspot-client-secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(missing !== null)('the webhook card on the CRM page', () => {
  let fake: FakeHubspotServer;
  let crmsync: StartedCrmsync;
  let browser: Browser;

  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${crmsync.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: GraphQL answers read field by field
    return (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
  };

  beforeAll(async () => {
    await mkdir(screenshotDir, { recursive: true });
    fake = await FakeHubspotServer.start({ counts: { contacts: 40 }, rateLimit: null });
    crmsync = await startCrmsync({
      HUBSPOT_ACCESS_TOKEN: fake.accessToken,
      HUBSPOT_BASE_URL: fake.baseUrl,
      HUBSPOT_WEBHOOK_SECRET: SECRET,
    });
    browser = await launchBrowser();
    await waitUntilIdle(crmsync.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await crmsync?.stop();
    await fake?.close();
  });

  it('shows events today, refused deliveries, pending events and the runs webhooks triggered', async () => {
    expect(crmsync.output()).toContain('/hooks/hubspot');
    const url = `${crmsync.url}/hooks/hubspot`;
    const sender = new HubspotWebhookSender();
    fake.objects('contacts').touch([1, 2, 3, 4, 5], new Date(), (o) => {
      o.properties.firstname = 'Hooked';
    });
    const batch = sender.events('contact.propertyChange', [1, 2, 3, 4, 5]);
    expect(await sender.send(url, batch, { clientSecret: SECRET })).toEqual([200]);
    expect(await sender.send(url, batch, { clientSecret: 'not-the-secret' })).toEqual([401]);

    const query = `query($name: String!) { crm(name: $name) { webhooks {
      endpoint eventsToday pendingEvents processingFailuresToday verificationFailures
      lastVerificationFailureReason lastEventAt runs { trigger status syncType recordsProcessed } } } }`;
    // biome-ignore lint/suspicious/noExplicitAny: read field by field
    let hooks: any;
    const deadline = Date.now() + 30_000;
    for (;;) {
      hooks = (await gql(query, { name: 'hubspot' })).data?.crm?.webhooks;
      if (hooks?.pendingEvents === 0 && hooks.runs[0] && hooks.runs[0].status !== 'running') break;
      if (Date.now() > deadline) throw new Error(`not processed: ${JSON.stringify(hooks)}`);
      await sleep(200);
    }
    expect(hooks).toMatchObject({
      endpoint: '/hooks/hubspot',
      eventsToday: 5,
      pendingEvents: 0,
      processingFailuresToday: 0,
      verificationFailures: 1,
      lastVerificationFailureReason: 'bad-signature',
    });
    expect(hooks.runs).toEqual([
      { trigger: 'webhook', status: 'success', syncType: 'contacts', recordsProcessed: 5 },
    ]);
    // A CRM without webhooks has no status.
    expect((await gql(query, { name: 'faker' })).data?.crm?.webhooks).toBeNull();

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${crmsync.url}/crm/hubspot`);
    const card = page.getByTestId('webhooks');
    await card.waitFor();
    await expect.poll(() => page.getByTestId('webhooks-today').textContent()).toBe('5');
    expect(await page.getByTestId('webhooks-pending').textContent()).toBe('0');
    expect(await page.getByTestId('webhooks-failed').textContent()).toBe('0');
    expect(await page.getByTestId('webhooks-refused').textContent()).toBe('1');
    expect(await card.textContent()).toContain('bad-signature');
    expect(await card.textContent()).toContain('/hooks/hubspot');
    const table = card.getByRole('region', { name: 'Runs triggered by webhooks' });
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody tr').first().textContent()).toContain('contacts');
    await shoot(page, 'crm-webhooks-1440');
    await page.close();
  }, 90_000);
});
