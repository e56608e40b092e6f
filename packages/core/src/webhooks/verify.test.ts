import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkTimestampWindow,
  hmacDigest,
  safeEqual,
  verifyBasicAuth,
  verifyHmacHeader,
  verifySharedSecret,
  webhookHeader,
} from './verify.js';

const now = new Date('2026-12-05T12:00:00Z');

describe('webhook verifiers', () => {
  it('computes the HMAC the way node:crypto does, in the encoding asked', () => {
    const b64 = hmacDigest('sha256', 'k', 'msg', 'base64');
    expect(b64).toBe(createHmac('sha256', 'k').update('msg').digest('base64'));
    expect(hmacDigest('sha1', 'k', 'msg', 'hex')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('compares secrets fully: equal only when identical, whatever the lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'a')).toBe(false);
  });

  it('accepts a signed header, and refuses a missing or wrong one', () => {
    const expected = {
      algorithm: 'sha256',
      key: 'secret',
      message: 'body',
      encoding: 'base64',
    } as const;
    const good = hmacDigest('sha256', 'secret', 'body', 'base64');
    expect(verifyHmacHeader(good, expected)).toEqual({ ok: true });
    expect(verifyHmacHeader(undefined, expected)).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
    const other = hmacDigest('sha256', 'other', 'body', 'base64');
    expect(verifyHmacHeader(other, expected)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a timestamp outside the window on either side, and one that is not a number', () => {
    const ms = now.getTime();
    expect(checkTimestampWindow(String(ms - 60_000), 'ms', now)).toEqual({ ok: true });
    expect(checkTimestampWindow(String(ms - 5 * 60_000 - 1), 'ms', now)).toEqual({
      ok: false,
      reason: 'stale-timestamp',
    });
    expect(checkTimestampWindow(String(ms + 6 * 60_000), 'ms', now).ok).toBe(false);
    expect(checkTimestampWindow(String(ms / 1000 - 10), 's', now)).toEqual({ ok: true });
    expect(checkTimestampWindow('12:00', 'ms', now)).toEqual({
      ok: false,
      reason: 'bad-timestamp',
    });
    expect(checkTimestampWindow(undefined, 'ms', now).ok).toBe(false);
  });

  it('checks HTTP Basic credentials and shared secrets', () => {
    const auth = `Basic ${Buffer.from('crm:pa:ss').toString('base64')}`;
    expect(verifyBasicAuth(auth, 'crm:pa:ss')).toEqual({ ok: true });
    expect(verifyBasicAuth(auth, 'crm:other')).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyBasicAuth('Bearer x', 'crm:pa:ss')).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
    expect(verifySharedSecret('t0k', 't0k')).toEqual({ ok: true });
    expect(verifySharedSecret('t0k', 'tok')).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySharedSecret(undefined, 'tok').ok).toBe(false);
  });

  it('finds headers whatever their case', () => {
    const request = {
      method: 'POST',
      url: 'http://x/',
      body: Buffer.alloc(0),
      headers: { 'X-Sig': 'a' },
    };
    expect(webhookHeader(request, 'x-sig')).toBe('a');
    expect(webhookHeader(request, 'x-other')).toBeUndefined();
  });
});
