import { randomUUID } from 'node:crypto';
import {
  type LimitState,
  type RateLimitRule,
  type RateLimits,
  reply,
} from '@crmsync/core/fake-api';

/** HubSpot's 429 body; `policyName` says which limit (`TEN_SECONDLY_ROLLING`, `SECONDLY`, `DAILY`). */
export function rateLimitedBody(policyName: string) {
  const which =
    policyName === 'DAILY'
      ? 'daily'
      : policyName === 'SECONDLY'
        ? 'secondly'
        : 'ten_secondly_rolling';
  return {
    status: 'error',
    message: `You have reached your ${which} limit.`,
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName,
    requestId: randomUUID(),
  };
}

const isSearch = (r: { method: string; path: string }) =>
  r.method === 'POST' && /\/search$/.test(r.path);

/** The daily request count: never resets while the fake runs; search requests do not count. */
export const dailyRule = (max: number): RateLimitRule => ({
  name: 'daily',
  max,
  windowMs: Number.POSITIVE_INFINITY,
  applies: (r) => !isSearch(r),
  reject: () => reply(429, rateLimitedBody('DAILY')),
});

/** Search requests per rolling second; search answers carry no rate-limit headers. */
export const searchRule = (max: number): RateLimitRule => ({
  name: 'search',
  max,
  windowMs: 1_000,
  applies: isSearch,
  reject: () => reply(429, rateLimitedBody('SECONDLY')),
});

/** Requests per rolling 10 s (`TEN_SECONDLY_ROLLING`), with HubSpot's headers on every answer. */
export function generalRule(max: number, limits: () => RateLimits): RateLimitRule {
  const headers = (state: LimitState): Record<string, string> => {
    const daily = limits().window('daily');
    const secondly = Math.ceil(max / 10);
    return {
      'X-HubSpot-RateLimit-Daily': String(daily.max),
      'X-HubSpot-RateLimit-Daily-Remaining': String(daily.remaining(state.now)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
      'X-HubSpot-RateLimit-Max': String(max),
      'X-HubSpot-RateLimit-Remaining': String(state.window.remaining(state.now)),
      'X-HubSpot-RateLimit-Secondly': String(secondly),
      'X-HubSpot-RateLimit-Secondly-Remaining': String(
        Math.max(0, secondly - state.window.within(1000, state.now)),
      ),
    };
  };
  return {
    name: 'ten-secondly',
    max,
    windowMs: 10_000,
    applies: (r) => !isSearch(r),
    reject: (_, state) => reply(429, rateLimitedBody('TEN_SECONDLY_ROLLING'), headers(state)),
    headers: (_, state) => headers(state),
  };
}
