import { entitySet } from '../schema.js';
import { type FakeRow, fakeRow, MarketSharpFake, type MarketSharpFakeOptions } from './server.js';

const DAY = 86_400_000;

/** The plugin config that points at a fake. */
export function fakeConfig(fake: MarketSharpFake, extra: Record<string, unknown> = {}) {
  return {
    MARKETSHARP_COMPANY_ID: fake.companyId,
    MARKETSHARP_USER_KEY: fake.userKey,
    MARKETSHARP_SECRET_KEY: fake.secretKey,
    MARKETSHARP_BASE_URL: fake.baseUrl,
    MARKETSHARP_TIMEZONE: fake.timeZone,
    MARKETSHARP_RETRY_WAIT_MS: 50,
    ...extra,
  };
}

/**
 * The plugin kit's fixture for one entity set: `size` rows whose change stamps spread over the
 * past 90 days, in a fake whose server writes naive times in America/Chicago.
 */
export async function startMarketSharpKitFixture(
  entity: string,
  size: number,
  options: MarketSharpFakeOptions & { format?: 'json' | 'atom' } = {},
) {
  const spec = entitySet(entity);
  const fake = await MarketSharpFake.start(options);
  const now = Date.now();
  const rows: FakeRow[] = [];
  fake.rows.set(spec.set, rows);
  let next = 1;
  const add = (at: number): FakeRow => {
    const row = fakeRow(spec, next++, at);
    rows.push(row);
    return row;
  };
  for (let i = 0; i < size; i++)
    add(now - 90 * DAY + Math.floor((i * 89 * DAY) / Math.max(1, size)));
  const id = (row: FakeRow) => String(row[spec.key]);
  const stamp = spec.stamp;
  const touch = (row: FakeRow, at: number) => {
    for (const [prop, type] of Object.entries(spec.properties))
      if (type === 'Edm.DateTime' && (prop === stamp || !stamp)) row[prop] = at;
  };
  return {
    fake,
    config: fakeConfig(fake, options.format ? { MARKETSHARP_FORMAT: options.format } : {}),
    pluginOptions: {},
    badCredentials: {
      MARKETSHARP_SECRET_KEY: Buffer.from('not the secret marketsharp issued').toString('base64'),
    },
    async mutate(count: number) {
      const changed = rows.slice(0, count);
      for (const row of changed) {
        row[spec.required] = `changed ${id(row)}`;
        touch(row, Date.now());
      }
      return changed.map(id);
    },
    async addRecords(count: number, at: Date) {
      return Array.from({ length: count }, () => id(add(at.getTime())));
    },
    async corrupt(count: number) {
      const broken = rows.slice(-count);
      for (const row of broken) row[spec.required] = null;
      return broken.map(id);
    },
    async setUpdatedAt(externalId: string, at: Date) {
      const row = rows.find((r) => id(r) === externalId);
      if (row && stamp) row[stamp] = at.getTime();
    },
    async remove(count: number) {
      return rows.splice(0, count).map(id);
    },
    injectFault(
      fault:
        | { kind: 'rate-limit'; retryAfterSeconds: number }
        | { kind: 'server-error'; count: number },
    ) {
      // MarketSharp documents no 429: overload is 503 Service Unavailable (what the seeds met),
      // here with a Retry-After for the kit's wait.
      if (fault.kind === 'rate-limit')
        fake.api.fault({
          status: 503,
          headers: { 'retry-after': String(fault.retryAfterSeconds) },
        });
      else fake.api.fault({ status: 503, times: fault.count });
    },
    requestedPageSizes: () => fake.pageSizes(spec.set),
    close: () => fake.close(),
  };
}
