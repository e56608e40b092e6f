import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest, WebhookVerification } from '../contracts/webhooks.js';

/** Shared pieces of the vendors' webhook signature schemes. */

export type HmacAlgorithm = 'sha1' | 'sha256';

/** HMAC of `message` under `key`, encoded as the vendor sends it. */
export function hmacDigest(
  algorithm: HmacAlgorithm,
  key: string | Buffer,
  message: string | Buffer,
  encoding: 'base64' | 'hex',
): string {
  return createHmac(algorithm, key).update(message).digest(encoding);
}

/**
 * Compares two secrets in constant time. Both sides are hashed first, so neither their
 * content nor their length leaks through timing.
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** A request header (names are matched case-insensitively); the first of repeated values. */
export function webhookHeader(request: WebhookRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers))
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  return undefined;
}

/** The default replay window: HubSpot's five minutes. */
export const DEFAULT_WEBHOOK_WINDOW_MS = 5 * 60_000;

/**
 * A signed timestamp must be within `windowMs` of now (either side, for clock skew): a
 * captured request replayed later is refused even though its signature is valid.
 */
export function checkTimestampWindow(
  timestamp: string | undefined,
  unit: 'ms' | 's',
  now: Date,
  windowMs = DEFAULT_WEBHOOK_WINDOW_MS,
): WebhookVerification {
  if (timestamp === undefined) return { ok: false, reason: 'missing-signature' };
  if (!/^\d{1,16}$/.test(timestamp.trim())) return { ok: false, reason: 'bad-timestamp' };
  const at = Number(timestamp) * (unit === 's' ? 1000 : 1);
  return Math.abs(now.getTime() - at) > windowMs
    ? { ok: false, reason: 'stale-timestamp' }
    : { ok: true };
}

/** Checks a header carrying an HMAC of `message`: missing, or different, is refused. */
export function verifyHmacHeader(
  given: string | undefined,
  expected: {
    algorithm: HmacAlgorithm;
    key: string | Buffer;
    message: string | Buffer;
    encoding: 'base64' | 'hex';
  },
): WebhookVerification {
  if (!given) return { ok: false, reason: 'missing-signature' };
  const digest = hmacDigest(expected.algorithm, expected.key, expected.message, expected.encoding);
  return safeEqual(given.trim(), digest) ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

/** Checks `Authorization: Basic …` against `user:password` (Pipedrive's webhook credentials). */
export function verifyBasicAuth(
  authorization: string | undefined,
  userColonPassword: string,
): WebhookVerification {
  const match = authorization?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match?.[1]) return { ok: false, reason: 'missing-signature' };
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  return safeEqual(decoded, userColonPassword)
    ? { ok: true }
    : { ok: false, reason: 'bad-signature' };
}

/** Checks a shared secret sent as is (a header, or Zoho's `token` field). */
export function verifySharedSecret(given: string | undefined, secret: string): WebhookVerification {
  if (given === undefined || given === '') return { ok: false, reason: 'missing-signature' };
  return safeEqual(given, secret) ? { ok: true } : { ok: false, reason: 'bad-signature' };
}
