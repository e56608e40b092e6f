import { createHmac } from 'node:crypto';

/**
 * MarketSharp's per-request credential: `companyId:userKey:epochSeconds:signature`, where
 * the signature is base64(HMAC-SHA256(key = base64-decoded secret, companyId + userKey +
 * epochSeconds)). It is rebuilt for every request: the time is part of what is signed.
 */
export function marketsharpSignature(
  companyId: string,
  userKey: string,
  secretKey: string,
  epochSeconds: number,
): string {
  return createHmac('sha256', Buffer.from(secretKey, 'base64'))
    .update(`${companyId}${userKey}${epochSeconds}`)
    .digest('base64');
}

export function marketsharpAuthorization(
  companyId: string,
  userKey: string,
  secretKey: string,
  epochSeconds = Math.floor(Date.now() / 1000),
): string {
  const signature = marketsharpSignature(companyId, userKey, secretKey, epochSeconds);
  return `${companyId}:${userKey}:${epochSeconds}:${signature}`;
}
