import { type FetchRequest, SyncEngine } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCallRailKitFixture } from './fake-server/index.js';
import callrailPlugin from './index.js';
import { widePassStart } from './window.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

type Fixture = Awaited<ReturnType<typeof startCallRailKitFixture>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await fixture?.close();
  fixture = undefined;
});

/** A delta as the engine plans it: the last run's start minus 5 minutes and the window. */
function delta(lastStart: Date, options: Record<string, unknown> = {}): FetchRequest {
  const windowDays = Number(options['window-days'] ?? 7);
  return {
    mode: 'delta',
    since: new Date(lastStart.getTime() - 5 * MINUTE - windowDays * DAY),
    batchSize: 100,
    signal: new AbortController().signal,
    options,
    logger: { debug() {}, info() {}, warn() {}, error() {}, child: () => undefined as never },
  };
}

describe('the wide pass of CallRail deltas', () => {
  const now = new Date('2026-12-05T09:00:00Z');

  it('re-reads 90 days on the first delta after midnight UTC, the trailing window on the others', () => {
    expect(widePassStart(delta(new Date('2026-12-04T23:50:00Z')), now)?.toISOString()).toBe(
      new Date(now.getTime() - 90 * DAY).toISOString(),
    );
    expect(widePassStart(delta(new Date('2026-12-05T08:00:00Z')), now)).toBeUndefined();
  });

  it('follows its options: the period, the width, and 0 to turn it off', () => {
    const at = new Date('2026-12-05T06:30:00Z');
    expect(widePassStart(delta(at, { 'wide-window-every-hours': 6 }), now)).toBeUndefined();
    expect(widePassStart(delta(at, { 'wide-window-every-hours': 4 }), now)).toBeDefined();
    const yesterday = new Date('2026-12-04T20:00:00Z');
    expect(widePassStart(delta(yesterday, { 'wide-window-days': 30 }), now)?.toISOString()).toBe(
      new Date(now.getTime() - 30 * DAY).toISOString(),
    );
    expect(widePassStart(delta(yesterday, { 'wide-window-every-hours': 0 }), now)).toBeUndefined();
    // A trailing window already wider than the pass needs no pass.
    expect(
      widePassStart(delta(yesterday, { 'window-days': 90, 'wide-window-days': 60 }), now),
    ).toBeUndefined();
  });

  it('brings a tag added weeks after a call on the first run of the next day, with no option given', async () => {
    // The whole story on a clock of its own, the fake API's included (it runs in this process
    // and dates its calls by it): yesterday's last run just before midnight UTC, then the
    // first run of the day, then a later one. On the real clock the fake's calls would be dated
    // up to a day after the runs that read them, depending on when the test runs.
    const midnight = Date.UTC(2026, 11, 5);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(midnight - 10 * MINUTE);
    fixture = await startCallRailKitFixture({ size: 120 });
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, progressIntervalMs: 0 });
    const sync = () =>
      engine.runEntity({ plugin: callrailPlugin, entity: 'calls', config: fixture?.config ?? {} });
    expect(await sync()).toMatchObject({ status: 'success', mode: 'full' });
    vi.setSystemTime(midnight + 10 * MINUTE);

    // A call ~89 days old gets tagged: far outside the 7-day trailing window.
    const [old] = fixture.fake.mutateCalls(1, { oldest: true });
    const first = await sync();
    expect(first).toMatchObject({ status: 'success', mode: 'delta' });
    expect((await store.getRecord('callrail', 'calls', String(old)))?.data.lead_status).toBe(
      'good_lead',
    );

    // Later the same day: only the trailing window again.
    vi.setSystemTime(midnight + 3 * 60 * MINUTE);
    const [, again] = fixture.fake.mutateCalls(2, { oldest: true });
    const second = await sync();
    expect(second.counts.processed).toBeLessThan(first.counts.processed);
    expect((await store.getRecord('callrail', 'calls', String(again)))?.data.lead_status).not.toBe(
      'good_lead',
    );
  });
});
