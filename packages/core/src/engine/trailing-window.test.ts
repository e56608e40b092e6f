import { describe, expect, it } from 'vitest';
import type { DeltaSpec } from '../contracts/plugin.js';
import type { SyncRun } from '../contracts/run.js';
import { planRun } from './plan.js';

const DAY = 86_400_000;
const started = new Date('2026-06-10T12:00:00Z');
const last = { id: 'r1', startTime: started } as SyncRun;
const calls: DeltaSpec = {
  kind: 'trailing-window',
  field: 'start_time',
  windowMs: 7 * DAY,
  windowOption: 'window-days',
};
const sinceOf = (pluginOptions?: Record<string, unknown>) =>
  planRun({
    delta: calls,
    options: { ...(pluginOptions && { pluginOptions }) },
    lastSuccessfulRun: last,
    overlapMs: 0,
  }).since;

describe('a trailing-window delta', () => {
  it("reaches back the entity's window before the last run's start", () => {
    expect(sinceOf()).toEqual(new Date(started.getTime() - 7 * DAY));
  });

  it('reaches back the days of the plugin option the entity names instead, once', () => {
    expect(sinceOf({ 'window-days': 30 })).toEqual(new Date(started.getTime() - 30 * DAY));
    expect(sinceOf({ 'window-days': 0 })).toEqual(new Date(started.getTime() - 7 * DAY));
  });
});
