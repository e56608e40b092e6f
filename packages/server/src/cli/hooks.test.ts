import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FakePipedrive, startFakePipedrive } from '@crmsync/plugin-pipedrive/fake-server';
import { type FakeZoho, fakeZohoConfig, startFakeZoho } from '@crmsync/plugin-zoho/fake-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli/test-project.js';
import { hookUrl } from './commands/hooks.js';

interface SubscriptionJson {
  crm: string;
  id: string;
  url: string;
  entity: string;
  events: string[];
  active: boolean;
  expiresAt: string | null;
}

// In-process through buildProgram(), against the Pipedrive and Zoho fakes.
describe('crmsync hooks enable | list | disable | renew', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-hooks-'));
  let pd: FakePipedrive;
  let zoho: FakeZoho;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(['--cwd', dir, ...args], env);
  const json = <T>(out: string) => JSON.parse(out) as T;

  beforeAll(async () => {
    pd = await startFakePipedrive({ size: 1, entities: ['deals'] });
    zoho = await startFakeZoho();
    env = {
      PIPEDRIVE_API_TOKEN: pd.token,
      PIPEDRIVE_BASE_URL: pd.baseUrl,
      PIPEDRIVE_WEBHOOK_SECRET: 'crmsync:pd-hook-pass',
      ...fakeZohoConfig(zoho),
      ZOHO_WEBHOOK_SECRET: 'zoho-channel-token',
      CRMSYNC_PUBLIC_URL: 'https://sync.example.com',
    };
  });
  afterAll(async () => {
    await pd.api.close();
    await zoho.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enables Pipedrive webhooks per entity at <url>/hooks/pipedrive, lists them as JSON, disables one then the rest', async () => {
    const enabled = await cli(
      'hooks',
      'enable',
      'pipedrive',
      '--url',
      'https://sync.example.com/',
      '--entity',
      'deals',
      'persons',
      '--json',
    );
    expect(enabled.code, enabled.err).toBe(0);
    const made = json<SubscriptionJson[]>(enabled.out);
    expect(made.map((s) => [s.crm, s.entity, s.url, s.active])).toEqual([
      ['pipedrive', 'deals', 'https://sync.example.com/hooks/pipedrive', true],
      ['pipedrive', 'persons', 'https://sync.example.com/hooks/pipedrive', true],
    ]);
    // The vendor got the Basic credentials; crmsync's output never shows them.
    expect([...pd.webhooks.values()].map((w) => w.http_auth_password)).toEqual([
      'pd-hook-pass',
      'pd-hook-pass',
    ]);
    expect(enabled.out + enabled.err).not.toContain('pd-hook-pass');
    const list = await cli('hooks', 'list', 'pipedrive', '--json');
    expect(list.code, list.err).toBe(0);
    expect(json<SubscriptionJson[]>(list.out)).toEqual(made);
    const text = await cli('hooks', 'list', 'pipedrive');
    const row = text.out.split('\n').find((l) => l.includes('*.deal')) ?? '';
    for (const cell of ['pipedrive', made[0]?.id as string, 'deals', 'yes', 'never'])
      expect(row).toContain(cell);
    const one = await cli('hooks', 'disable', 'pipedrive', '--id', made[0]?.id as string);
    expect(one.code, one.err).toBe(0);
    expect(one.out).toContain(`removed 1 subscription(s) (${made[0]?.id})`);
    const rest = await cli('hooks', 'disable', 'pipedrive', '--json');
    expect(json(rest.out)).toEqual([{ crm: 'pipedrive', id: made[1]?.id }]);
    expect(pd.webhooks.size).toBe(0);
    const missing = await cli('hooks', 'disable', 'pipedrive', '--id', '999');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/404/);
  });

  it('enables a Zoho channel with its expiry, lists it across CRMs, renews it, disables it', async () => {
    const enabled = await cli('hooks', 'enable', 'zoho', '--ttl-hours', '24', '--json');
    expect(enabled.code, enabled.err).toBe(0);
    const made = json<SubscriptionJson[]>(enabled.out);
    expect(made.map((s) => [s.entity, s.url])).toEqual([
      ['deals', 'https://sync.example.com/hooks/zoho'],
      ['contacts', 'https://sync.example.com/hooks/zoho'],
      ['accounts', 'https://sync.example.com/hooks/zoho'],
      ['leads', 'https://sync.example.com/hooks/zoho'],
    ]);
    const expiry = Date.parse(made[0]?.expiresAt ?? '');
    expect(Math.abs(expiry - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    expect(zoho.watches.every((w) => w.token === 'zoho-channel-token')).toBe(true);
    // Every CRM that can: Pipedrive's (none left) and Zoho's four.
    const all = await cli('hooks', 'list', '--json');
    expect(all.code, all.err).toBe(0);
    expect(json<SubscriptionJson[]>(all.out).map((s) => `${s.crm}:${s.entity}`)).toEqual([
      'zoho:deals',
      'zoho:contacts',
      'zoho:accounts',
      'zoho:leads',
    ]);
    const text = await cli('hooks', 'list', 'zoho');
    expect(text.out).toContain(new Date(expiry).toISOString().replace('T', ' ').slice(0, 16));
    const renewed = await cli('hooks', 'renew', 'zoho', '--json');
    expect(renewed.code, renewed.err).toBe(0);
    const later = json<SubscriptionJson[]>(renewed.out);
    expect(later).toHaveLength(4);
    expect(Date.parse(later[0]?.expiresAt ?? '')).toBeGreaterThan(expiry + 5 * 86_400_000);
    const off = await cli('hooks', 'disable', 'zoho');
    expect(off.code, off.err).toBe(0);
    expect(zoho.watches).toHaveLength(0);
  });

  it('exits 2 with the reason: CallRail (set up in its UI), an unknown CRM, a missing secret or URL, a bad TTL', async () => {
    const callrail = await cli('hooks', 'enable', 'callrail');
    expect(callrail.code).toBe(2);
    expect(callrail.err).toMatch(/callrail: webhook subscriptions cannot be managed from crmsync/);
    expect(callrail.err).toContain('/hooks/callrail/calls');
    // HubSpot is managed through the developer app: without its id and key, exit 2 naming them.
    const hubspot = await runCli(['--cwd', dir, 'hooks', 'list', 'hubspot'], {
      ...env,
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-not-used',
      HUBSPOT_BASE_URL: 'http://127.0.0.1:9',
    });
    expect(hubspot.code).toBe(2);
    expect(hubspot.err).toContain('set HUBSPOT_APP_ID and HUBSPOT_DEVELOPER_API_KEY');
    // Listing every CRM, that is a warning and the others are still listed.
    const every = await runCli(['--cwd', dir, 'hooks', 'list', '--json'], {
      ...env,
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-not-used',
      HUBSPOT_BASE_URL: 'http://127.0.0.1:9',
    });
    expect(every.code, every.err).toBe(0);
    expect(every.err).toMatch(/warning: hubspot: .*HUBSPOT_APP_ID/);
    expect(JSON.parse(every.out)).toEqual([]);
    const unknown = await cli('hooks', 'list', 'nosuchcrm');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Invalid crm: expected one of the installed CRMs: .*pipedrive/);
    const noSecret = await runCli(['--cwd', dir, 'hooks', 'enable', 'pipedrive'], {
      ...env,
      PIPEDRIVE_WEBHOOK_SECRET: '',
    });
    expect(noSecret.code).toBe(2);
    expect(noSecret.err).toContain('PIPEDRIVE_WEBHOOK_SECRET');
    const noUrl = await runCli(['--cwd', dir, 'hooks', 'enable', 'zoho'], {
      ...env,
      CRMSYNC_PUBLIC_URL: '',
    });
    expect(noUrl.code).toBe(2);
    expect(noUrl.err).toContain('--url');
    const ttl = await cli('hooks', 'renew', 'zoho', '--ttl-hours', 'soon');
    expect(ttl.code).toBe(2);
    expect(ttl.err).toContain('--ttl-hours');
    const noRenew = await cli('hooks', 'renew', 'pipedrive');
    expect(noRenew.code).toBe(2);
    expect(noRenew.err).toContain('do not expire');
  });

  it('appends /hooks/<crm> to a bare public URL, keeps one that names the endpoint', () => {
    expect(hookUrl('https://h.example', 'zoho', {})).toBe('https://h.example/hooks/zoho');
    expect(hookUrl('https://h.example/base/', 'zoho', {})).toBe(
      'https://h.example/base/hooks/zoho',
    );
    expect(hookUrl('https://h.example/hooks/callrail/calls', 'callrail', {})).toBe(
      'https://h.example/hooks/callrail/calls',
    );
    expect(() => hookUrl('ftp://h', 'zoho', {})).toThrow(/--url/);
  });
});
