import type { PluginKitFault } from '../plugin-kit-types.js';
import type { FakeFault } from './faults.js';
import type { FakeRequest } from './types.js';

const DAY = 86_400_000;

/**
 * The plugin kit's fault as a fake answers it, for the requests `match` accepts: `count`
 * 503s, or one 429 whose `Retry-After` says `retryAfterSeconds`. The vendor's error body is
 * the fake's `faultBody`.
 *
 * @example
 * injectFault: (fault) => fake.api.fault(kitFault(fault, (r) => r.path === '/leads')),
 */
export function kitFault(
  fault: PluginKitFault,
  match: (request: FakeRequest) => boolean,
): FakeFault {
  return fault.kind === 'server-error'
    ? { status: 503, times: fault.count, match }
    : { status: 429, headers: { 'retry-after': String(fault.retryAfterSeconds) }, match };
}

/**
 * When the `n`th of `size` seeded records (from 1) last changed: spread evenly over the 90
 * days before `now`, oldest first, the newest a day or more before `now`.
 */
export const seededChangeTime = (now: number, n: number, size: number): number =>
  now - 90 * DAY + Math.floor(((n - 1) * 89 * DAY) / size);
