import { callrailId, type Json } from './data.js';
import { CallRailFakeServer } from './server.js';

/**
 * Config pointing the plugin at the fake, the wrong key the `auth` scenario tries, and faults
 * and page sizes of one collection.
 */
const settings = (fake: CallRailFakeServer, collection: string) => ({
  config: {
    CALLRAIL_API_KEY: fake.apiKey,
    CALLRAIL_ACCOUNT_ID: fake.accountId,
    CALLRAIL_BASE_URL: fake.baseUrl,
    CALLRAIL_HOURLY_LIMIT: 1000,
    CALLRAIL_DAILY_LIMIT: 10_000,
  },
  pluginOptions: {},
  badCredentials: { CALLRAIL_API_KEY: 'wrong-callrail-key-0000' },
  injectFault(
    fault:
      | { kind: 'rate-limit'; retryAfterSeconds: number }
      | { kind: 'server-error'; count: number },
  ) {
    // CallRail sends no Retry-After: the fake answers a bare 429 whatever the kit asks.
    fake.injectFault(
      fault.kind === 'rate-limit'
        ? { kind: 'rate-limit' }
        : { kind: 'server-error', count: fault.count },
      collection,
    );
  },
  requestedPageSizes: () => fake.pageSizes(collection),
});

/**
 * What the plugin test kit needs from CallRail: a fake account whose `size` calls spread
 * over the past 90 days (the kit's entity is `calls`), old calls changed in place (their
 * start time stays — a trailing-window delta must re-read them), faults on the calls path
 * and the `per_page` of every calls request.
 */
export async function startCallRailKitFixture(options: { size: number }) {
  const fake = await CallRailFakeServer.start({ size: options.size });
  return {
    fake,
    /** Changes the most recent calls: inside the default 7-day window of a delta. */
    mutate: async (count: number) => fake.mutateCalls(count),
    addRecords: async (count: number, at: Date) => fake.addCalls(count, at),
    corrupt: async (count: number) => fake.corruptCalls(count),
    ...settings(fake, 'calls'),
    close: () => fake.close(),
  };
}

/**
 * The same for `companies`, the kit's case of an account-setup list read whole every run (no
 * date filter): the fake's account gets `size` companies; removing one drops it from the list.
 */
export async function startCallRailCompaniesKitFixture(options: { size: number }) {
  const fake = await CallRailFakeServer.start({ size: 10 });
  const companies = fake.data.companies;
  const template = companies[0] as Json;
  const company = (n: number, at: Date): Json => ({
    ...template,
    id: callrailId('COM', n, 'kit'),
    name: `Kit company ${n}`,
    created_at: at.toISOString(),
  });
  const now = Date.now();
  companies.splice(0, companies.length);
  for (let n = 1; n <= options.size; n++)
    companies.push(company(n, new Date(now - (options.size - n) * 3_600_000)));
  let next = options.size + 1;
  const ids = (list: Json[]) => list.map((c) => String(c.id));
  return {
    fake,
    async mutate(count: number): Promise<string[]> {
      const changed = companies.slice(0, count);
      for (const c of changed) c.name = `Renamed ${String(c.id)}`;
      return ids(changed);
    },
    async addRecords(count: number, at: Date): Promise<string[]> {
      const added = Array.from({ length: count }, () => company(next++, at));
      companies.push(...added);
      return ids(added);
    },
    /** Takes the required name away. */
    async corrupt(count: number): Promise<string[]> {
      const broken = companies.slice(-count);
      for (const c of broken) c.name = null;
      return ids(broken);
    },
    async remove(count: number): Promise<string[]> {
      return ids(companies.splice(0, count));
    },
    ...settings(fake, 'companies'),
    close: () => fake.close(),
  };
}
