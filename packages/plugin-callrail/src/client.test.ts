import { createRequestMetrics, type FetchRequest, type Logger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CallRailClient, type CallRailRecord } from './client.js';
import { calls } from './entities/calls.js';
import { companies } from './entities/companies.js';
import { textMessages } from './entities/text_messages.js';
import { createCallRailTransport } from './transport.js';
import { CallRailFakeServer } from './fake-server/index.js';

const DAY = 86_400_000;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
let fake: CallRailFakeServer;
afterEach(async () => fake?.close());

/** The plugin's transport with short backoffs: these tests exercise paging and dates. */
function client(): CallRailClient {
  return new CallRailClient({
    baseUrl: fake.baseUrl,
    accountId: fake.accountId,
    transport: createCallRailTransport({
      apiKey: fake.apiKey,
      baseUrl: `${fake.baseUrl}/a/${fake.accountId}`,
      quotas: [],
      metrics: createRequestMetrics(),
      logger: quiet,
      backoffMs: 10,
    }),
  });
}

function request(overrides: Partial<FetchRequest> = {}): FetchRequest {
  return {
    mode: 'full',
    batchSize: 50,
    signal: new AbortController().signal,
    options: {},
    logger: quiet,
    ...overrides,
  };
}

async function collect(iterable: AsyncIterable<{ records: CallRailRecord[] }>) {
  const records: CallRailRecord[] = [];
  let pages = 0;
  for await (const page of iterable) {
    pages++;
    records.push(...page.records);
  }
  return { records, pages };
}

describe('CallRailClient', () => {
  it('reads every call on a full sync by sending an explicit start_date inside the retention', async () => {
    fake = await CallRailFakeServer.start({ size: 120 });
    const { records, pages } = await collect(calls.fetch(client(), request()));
    expect(records).toHaveLength(120);
    expect(pages).toBe(3);
    const first = fake.requests.find((r) => r.path.endsWith('/calls.json'));
    expect(first?.query.get('relative_pagination')).toBe('true');
    expect(Date.parse(String(first?.query.get('start_date')))).toBeLessThan(Date.now() - 700 * DAY);
    expect(first?.query.get('fields')).toContain('lead_status');
  });

  it('re-reads a trailing window before the delta start and sees calls changed inside it', async () => {
    fake = await CallRailFakeServer.start({ size: 120 });
    const changed = fake.mutateCalls(3);
    // The engine hands a delta a `since` that already reaches back the 7-day window (and the
    // 5-minute overlap) before the last run's start — here, a run just now: no wide pass.
    const since = new Date(Date.now() - 7 * DAY - 5 * 60_000);
    const { records } = await collect(calls.fetch(client(), request({ mode: 'delta', since })));
    const expected = fake.data.calls.filter(
      (c) => Date.parse(String(c.start_time)) >= since.getTime(),
    );
    expect(records.map((r) => r.id).sort()).toEqual(expected.map((c) => c.id).sort());
    for (const id of changed) {
      const call = records.find((r) => r.id === id);
      if (call) expect(call.lead_status).toBe('good_lead');
    }
  });

  it('sends the delta start it is handed: the engine has already reached back the window', async () => {
    fake = await CallRailFakeServer.start({ size: 120 });
    const since = new Date(Date.now() - 30 * DAY);
    await collect(
      calls.fetch(client(), request({ mode: 'delta', since, options: { 'window-days': 30 } })),
    );
    const sent = fake.requests.find((r) => r.path.endsWith('/calls.json'))?.query.get('start_date');
    expect(sent).toBe(since.toISOString());
  });

  it('pages a numbered list and reports the total', async () => {
    fake = await CallRailFakeServer.start({ size: 40 });
    const pages = [];
    for await (const page of textMessages.fetch(client(), request({ batchSize: 4 })))
      pages.push(page);
    expect(pages[0]?.estimatedTotal).toBe(fake.data.conversations.length);
    expect(pages.flatMap((p) => p.records)).toHaveLength(fake.data.conversations.length);
    expect(fake.requests.every((r) => !r.path.endsWith('text_messages.json'))).toBe(true);
    expect((await collect(companies.fetch(client(), request()))).records).toHaveLength(3);
  });

  it('resumes calls from a checkpointed next_page without re-reading earlier pages', async () => {
    fake = await CallRailFakeServer.start({ size: 60 });
    const stream = calls.fetch(client(), request({ batchSize: 20 }))[Symbol.asyncIterator]();
    const first = (await stream.next()).value;
    await stream.return?.();
    const rest = await collect(
      calls.fetch(client(), request({ batchSize: 20, checkpoint: first.checkpoint })),
    );
    const ids = new Set([...first.records, ...rest.records].map((r: CallRailRecord) => r.id));
    expect(rest.records).toHaveLength(40);
    expect(ids.size).toBe(60);
  });
});
