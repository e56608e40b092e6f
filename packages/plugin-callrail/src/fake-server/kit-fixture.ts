import { CallRailFakeServer } from './server.js';

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
    config: {
      CALLRAIL_API_KEY: fake.apiKey,
      CALLRAIL_ACCOUNT_ID: fake.accountId,
      CALLRAIL_BASE_URL: fake.baseUrl,
      CALLRAIL_HOURLY_LIMIT: 1000,
      CALLRAIL_DAILY_LIMIT: 10_000,
    },
    pluginOptions: {},
    badCredentials: { CALLRAIL_API_KEY: 'wrong-callrail-key-0000' },
    /** Changes the most recent calls: inside the default 7-day window of a delta. */
    mutate: async (count: number) => fake.mutateCalls(count),
    addRecords: async (count: number, at: Date) => fake.addCalls(count, at),
    corrupt: async (count: number) => fake.corruptCalls(count),
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
        'calls',
      );
    },
    requestedPageSizes: () => fake.pageSizes('calls'),
    close: () => fake.close(),
  };
}
