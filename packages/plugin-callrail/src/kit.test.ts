import { describePluginKit, type EntityKitOptions } from '@crmsync/core/testing';
import { startCallRailKitFixture } from './fake-server/index.js';
import callrailPlugin from './index.js';

// The account-setup lists (read whole every run) have no kit controls in the fake yet.
const setupLists: Record<string, EntityKitOptions> = Object.fromEntries(
  callrailPlugin.entities
    .filter((e) => e.delta.kind === 'none')
    .map((e) => [
      e.name,
      { skip: 'the CallRail fake has kit controls (change, add, corrupt) for calls only' },
    ]),
);

describePluginKit({
  plugin: callrailPlugin,
  // Calls, form submissions and text messages are one code path (list.ts, trailing window).
  coverage: 'every-delta-kind',
  entities: {
    ...setupLists,
    calls: {
      // CallRail's `end_date` includes its instant: a call exactly on the bound is read (again).
      bounds: { since: 'inclusive', until: 'inclusive' },
      maxPageSize: 250,
      unsupported: {
        deletes: 'CallRail reports no deleted calls: no archived flag, no deleted feed',
      },
    },
  },
  setup: ({ size }) => startCallRailKitFixture({ size }),
});
