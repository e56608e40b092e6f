import { MemoryStore, SyncEngine } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fakeContact,
  Five9Fake,
  five9Config,
  seedContacts,
  soapFault,
} from './fake-server/index.js';
import five9Plugin from './index.js';

const fakes: Five9Fake[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

async function start(options: Parameters<typeof Five9Fake.start>[0] = {}) {
  const fake = await Five9Fake.start(options);
  fakes.push(fake);
  return fake;
}

function engine(store = new MemoryStore()) {
  return {
    store,
    engine: new SyncEngine({ store, heartbeatIntervalMs: 60_000, progressIntervalMs: 0 }),
  };
}

const T0 = Date.UTC(2025, 4, 1);

describe('five9 contacts under the 1,000-record cap', () => {
  it('splits every partition that comes back at the cap, recursively, until all are under it', async () => {
    // The real cap is 1,000 (the bench reads 20,000 contacts under it); 25 here keeps it quick.
    const fake = await start({ cap: 25 });
    let n = 0;
    const add = (number: string) => fake.contacts.push(fakeContact(++n, number, T0 + n));
    const body = (i: number) => String(1_000_000 + ((i * 7_919) % 9_000_000)).slice(-7);
    for (let i = 0; i < 40; i++) add(`${body(i)}${i % 10}05`); // 40 ending in 05
    for (let i = 0; i < 30; i++) add(`${body(i + 40)}${i % 10}15`); // 30 ending in 15
    add('5'); // a number that is a split suffix itself
    for (let i = 0; i < 19; i++) add(`${body(i + 70)}2${(i % 4) + 1}`);
    const { store, engine: e } = engine();
    const config = { ...five9Config(fake), FIVE9_RECORD_CAP: 25 };
    const run = await e.runEntity({
      plugin: five9Plugin,
      entity: 'contacts',
      config,
      options: {},
      trigger: 'cli',
    });
    expect(run.errorMessage).toBeNull();
    expect(run.counts.processed).toBe(90);
    expect(await store.countRecords('five9', 'contacts')).toBe(90);
    // "%", "%5", "%05" and "%15" came back full and were split; "5" and "05" asked exactly;
    // "%1" (19 numbers) was under the cap and not split.
    for (const asked of ['%', '%5', '5', '%05', '05', '%105', '%15', '%1'])
      expect(fake.lookups).toContain(`number1=${asked}`);
    expect(fake.lookups).not.toContain('number1=%01');
    const stored = await store.getRecord('five9', 'contacts', 'c-0000071');
    // Positional values land on their own fields.
    expect(stored?.data).toMatchObject({
      number1: '5',
      first_name: 'First71',
      last_name: 'Last 71',
      city: 'Philadelphia',
    });
    expect(run.performanceMetrics).toMatchObject({
      five9CallCounters: { Query: { value: fake.lookups.length, limit: 500 } },
    });
  });

  it('resumes from the partition frontier after an interruption', async () => {
    const fake = await start({ cap: 20 });
    seedContacts(fake, 60, (i) => T0 + i);
    const { store, engine: e } = engine();
    const stop = new AbortController();
    const first = await e.runEntity({
      plugin: five9Plugin,
      entity: 'contacts',
      config: five9Config(fake),
      options: {},
      trigger: 'cli',
      signal: stop.signal,
      onEvent: (ev) => {
        if (ev.type === 'run-progress' && ev.pages >= 3) stop.abort(new Error('interrupted'));
      },
    });
    expect(first.status).toBe('failed');
    expect(first.checkpoint).toMatchObject({ pending: expect.arrayContaining([{ suffix: '9' }]) });
    const before = fake.lookups.length;
    const second = await e.runEntity({
      plugin: five9Plugin,
      entity: 'contacts',
      config: five9Config(fake),
      options: {},
      trigger: 'cli',
    });
    expect(second.resumedFromRunId).toBe(first.id);
    expect(await store.countRecords('five9', 'contacts')).toBe(60);
    // The resumed read asked exactly the partitions the checkpoint had left.
    const pending = (first.checkpoint as { pending: Array<{ suffix: string }> }).pending;
    expect(fake.lookups.slice(before)).toEqual(pending.map((p) => `number1=%${p.suffix}`));
  });

  it('without a report a delta re-reads everything and skips unchanged rows by hash', async () => {
    const fake = await start();
    seedContacts(fake, 30, (i) => T0 + i);
    const { engine: e } = engine();
    const config = five9Config(fake);
    const sync = () =>
      e.runEntity({ plugin: five9Plugin, entity: 'contacts', config, options: {}, trigger: 'cli' });
    await sync();
    (fake.contacts[4] as { values: Record<string, string> }).values.city = 'Camden';
    const second = await sync();
    expect(second.counts).toMatchObject({ processed: 30, updated: 1, unchanged: 29 });
  });
});

describe('five9 faults and auth', () => {
  it('maps SOAP faults: OperationsLimitExceeded waits and retries, AccessDisallowed is auth, a bad criterion is data', async () => {
    const fake = await start();
    seedContacts(fake, 5, (i) => T0 + i);
    fake.throttle(2);
    const { engine: e } = engine();
    const config = { ...five9Config(fake), FIVE9_RATE_LIMIT_WAIT_MS: 20 };
    const ok = await e.runEntity({
      plugin: five9Plugin,
      entity: 'contacts',
      config,
      options: {},
      trigger: 'cli',
    });
    expect(ok.errorMessage).toBeNull();
    expect(ok.performanceMetrics).toMatchObject({ retries: 2, throttled: 2 });

    fake.api.fault({
      status: 500,
      body: soapFault('AccessDisallowedException', 'Access is denied for user'),
      times: 1,
    });
    const denied = await e.runEntity({
      plugin: five9Plugin,
      entity: 'contacts',
      config,
      options: {},
      trigger: 'cli',
    });
    expect(denied).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(denied.errorMessage).toContain('AccessDisallowedException');

    const { Five9Client } = await import('./client.js');
    const client = new Five9Client({
      endpoint: fake.endpoint,
      username: fake.username,
      password: fake.password,
    });
    await expect(
      client.getContactRecords(
        [{ field: 'no such field', value: '1%' }],
        new AbortController().signal,
      ),
    ).rejects.toMatchObject({
      kind: 'data',
      message: expect.stringContaining('CrmFieldNotFoundException'),
    });
  });

  it('a wrong password is HTTP 401: auth, the password in no message; ServiceUnavailable is retried', async () => {
    const fake = await start();
    seedContacts(fake, 5, (i) => T0 + i);
    const { engine: e } = engine();
    const bad = await e.runEntity({
      plugin: five9Plugin,
      entity: 'contacts',
      config: { ...five9Config(fake), FIVE9_PASSWORD: 'wrong-password-123' },
      options: {},
      trigger: 'cli',
    });
    expect(bad).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(bad.errorMessage).not.toContain('wrong-password-123');
    fake.api.fault({ status: 500, times: 2 });
    const ok = await e.runEntity({
      plugin: five9Plugin,
      entity: 'contacts',
      config: five9Config(fake),
      options: {},
      trigger: 'cli',
    });
    expect(ok.errorMessage).toBeNull();
    expect(ok.performanceMetrics?.retries).toBe(2);
  });

  it('serves the v13 WSDL behind Basic auth', async () => {
    const fake = await start();
    const auth = `Basic ${Buffer.from(`${fake.username}:${fake.password}`).toString('base64')}`;
    const res = await fetch(`${fake.endpoint}?wsdl&user=${fake.username}`, {
      headers: { authorization: auth },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="getContactRecords"');
    expect((await fetch(`${fake.endpoint}?wsdl`)).status).toBe(401);
  });
});

describe('five9 report deltas', () => {
  it('runReport over [since, until) → polls isReportRunning → getReportResultCsv, reading the contacts it lists', async () => {
    const fake = await start({ reportPolls: 2 });
    seedContacts(fake, 20, (i) => T0 + i * 3_600_000);
    const config = { ...five9Config(fake), FIVE9_CONTACTS_REPORT: 'crmsync/Contacts changed' };
    const { store, engine: e } = engine();
    const run = await e.runEntity({
      plugin: five9Plugin,
      entity: 'contacts',
      config,
      options: { startDate: new Date(T0 + 15 * 3_600_000) },
      trigger: 'cli',
    });
    expect(run.errorMessage).toBeNull();
    expect(run.counts.processed).toBe(5);
    expect(fake.lookups).toEqual([]);
    expect(fake.counters.get('ReportRequest')).toBe(1);
    expect(fake.counters.get('RetrieveReport')).toBe(1);
    const c = await store.getRecord('five9', 'contacts', 'c-0000020');
    expect(c?.data).toMatchObject({
      last_name: 'Last 20',
      modified_at: new Date(T0 + 19 * 3_600_000).toISOString(),
    });
    const missing = await e.runEntity({
      plugin: five9Plugin,
      entity: 'contacts',
      config: { ...config, FIVE9_CONTACTS_REPORT: 'crmsync/No such report' },
      options: { startDate: new Date(T0) },
      trigger: 'cli',
    });
    expect(missing).toMatchObject({ status: 'failed', errorKind: 'data' });
    expect(missing.errorMessage).toContain('ReportNotFoundException');
  });
});
