import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FakeHubspotHandle, startFakeHubspot } from '@crmsync/plugin-hubspot/fake-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli/test-project.js';

// In-process through buildProgram(): each command opens the project's database and discovers
// the workspace's plugins as the binary does, without a process start per command.
const crmsync = (args: string[], env: Record<string, string>) => runCli(args, env);

describe('crmsync update, push, conflicts, resolve and mass-update against the HubSpot fake', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-writes-'));
  let hs: FakeHubspotHandle;
  let env: Record<string, string>;
  const cli = (...args: string[]) => crmsync(['--cwd', dir, ...args], env);
  const contact = (id: number) => hs.fake.objects('contacts').get(id)?.properties;

  beforeAll(async () => {
    hs = await startFakeHubspot({ counts: { contacts: 20 }, rateLimit: null });
    env = { HUBSPOT_ACCESS_TOKEN: hs.fake.accessToken, HUBSPOT_BASE_URL: hs.baseUrl };
    const sync = await cli('sync', 'hubspot', 'contacts', '--json');
    expect(sync.code, sync.err).toBe(0);
  });
  afterAll(async () => {
    await hs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('list says which entities are written and which plugins are read-only', async () => {
    const list = await cli('list');
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(
      /HubSpot \(hubspot, api\) — configured; writes contacts, companies, deals/,
    );
    expect(list.out).toMatch(/\(faker, api\) — .*; read-only/);
  });

  it('update writes at once (exit 0); a bad value is bad usage naming the field and its options (exit 2)', async () => {
    const ok = await cli('update', 'hubspot', 'contacts', '1', 'firstname=Zed', 'lastname=Quinn');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('hubspot contacts 1: synced');
    expect(contact(1)).toMatchObject({ firstname: 'Zed', lastname: 'Quinn' });
    const bad = await cli('update', 'hubspot', 'contacts', '1', 'lifecyclestage=nonsense');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Invalid lifecyclestage: expected one of subscriber, lead,');
    const usage = await cli('update', 'hubspot', 'contacts', '1', 'firstname');
    expect(usage.code).toBe(2);
    const readOnly = await cli('update', 'hubspot', 'owners', '101', 'email=a@b.co');
    expect(readOnly.code).toBe(2);
    expect(readOnly.err).toContain('hubspot owners is read-only');
  });

  it('a change met by a remote edit is a conflict (exit 3), listed as JSON, resolved by keeping local', async () => {
    const recorded = await cli(
      'update',
      'hubspot',
      'contacts',
      '2',
      'firstname=Local',
      '--no-push',
    );
    expect(recorded.code, recorded.err).toBe(0);
    hs.fake.objects('contacts').touch([2], new Date(), (o) => {
      o.properties.firstname = 'Remote';
    });
    const push = await cli('push', 'hubspot');
    expect(push.code, push.err).toBe(3);
    expect(push.out).toContain('0 written, 0 already at the CRM, 1 conflicts, 0 rejected');
    const listed = await cli('conflicts', '--crm', 'hubspot', '--json');
    expect(listed.code, listed.err).toBe(0);
    const conflicts = JSON.parse(listed.out) as Array<Record<string, unknown>>;
    expect(conflicts).toHaveLength(1);
    const [conflict] = conflicts;
    expect(Object.keys(conflict ?? {})).toEqual([
      'id',
      'crm',
      'entity',
      'recordId',
      'fields',
      'localModifiedAt',
      'remoteModifiedAt',
    ]);
    expect(conflict).toMatchObject({
      crm: 'hubspot',
      entity: 'contacts',
      recordId: '2',
      fields: [{ field: 'firstname', local: 'Local', remote: 'Remote' }],
    });
    expect(contact(2)?.firstname).toBe('Remote');
    const resolved = await cli('resolve', String(conflict?.id), '--keep', 'local');
    expect(resolved.code, resolved.err).toBe(0);
    expect(contact(2)?.firstname).toBe('Local');
    expect(JSON.parse((await cli('conflicts', '--json')).out)).toEqual([]);
  });

  it('resolve --value writes a typed value, checked against the field type (bad: exit 2 naming it)', async () => {
    const recorded = await cli(
      'update',
      'hubspot',
      'contacts',
      '4',
      'lifecyclestage=lead',
      '--no-push',
    );
    expect(recorded.code, recorded.err).toBe(0);
    hs.fake.objects('contacts').touch([4], new Date(), (o) => {
      o.properties.lifecyclestage = 'opportunity';
    });
    expect((await cli('push', 'hubspot')).code).toBe(3);
    const [conflict] = JSON.parse((await cli('conflicts', '--json')).out) as Array<{ id: string }>;
    const id = String(conflict?.id);
    const both = await cli('resolve', id, '--keep', 'local', '--value', 'customer');
    expect(both.code).toBe(2);
    const bad = await cli('resolve', id, '--value', 'nonsense');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Invalid lifecyclestage: expected one of subscriber, lead,');
    const wrongField = await cli('resolve', id, '--value', 'firstname=X', 'lastname=Y');
    expect(wrongField.code).toBe(2);
    expect(wrongField.err).toContain('--value');
    expect(contact(4)?.lifecyclestage).toBe('opportunity');
    const ok = await cli('resolve', id, '--value', 'customer');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain(`conflict ${id} resolved (wrote lifecyclestage=customer)`);
    expect(contact(4)?.lifecyclestage).toBe('customer');
    expect(JSON.parse((await cli('conflicts', '--json')).out)).toEqual([]);
  });

  it('a value HubSpot refuses ends rejected with its reason (exit 3)', async () => {
    const taken = contact(5)?.email ?? '';
    const res = await cli('update', 'hubspot', 'contacts', '3', `email=${taken}`);
    expect(res.code).toBe(3);
    expect(res.out).toMatch(
      /hubspot contacts 3: rejected — email: VALIDATION_ERROR: A contact with the email .* already exists/,
    );
  });

  it('mass-update sets a field on records by id or by a filter over the store, with a history row', async () => {
    const byIds = await cli(
      'mass-update',
      'hubspot',
      'contacts',
      '--set',
      'lifecyclestage=evangelist',
      '--ids',
      '6,7,8',
    );
    expect(byIds.code, byIds.err).toBe(0);
    expect(byIds.out).toContain('3 written');
    expect([6, 7, 8].map((i) => contact(i)?.lifecyclestage)).toEqual([
      'evangelist',
      'evangelist',
      'evangelist',
    ]);
    const state = contact(9)?.state ?? '';
    const same = Array.from({ length: 20 }, (_, i) => i + 1).filter(
      (i) => contact(i)?.state === state,
    );
    const byFilter = await cli(
      'mass-update',
      'hubspot',
      'contacts',
      '--set',
      'city=Nowhere',
      '--where',
      `state=${state}`,
      '--json',
    );
    expect(byFilter.code, byFilter.err).toBe(0);
    expect(JSON.parse(byFilter.out)).toMatchObject({ status: 'success', written: same.length });
    expect(same.map((i) => contact(i)?.city)).toEqual(same.map(() => 'Nowhere'));
    const history = await cli('history', '--json');
    expect(history.out).toContain('mass-update:contacts');
    const neither = await cli('mass-update', 'hubspot', 'contacts', '--set', 'city=X');
    expect(neither.code).toBe(2);
  });
});
