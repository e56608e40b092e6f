import { callrailSignature } from '../webhooks.js';

/**
 * Posts a CallRail webhook: the record as JSON, signed as CallRail signs it (`Signature`:
 * base64 HMAC-SHA1 of the body under the account's signing key). Resolves with the status.
 *
 * @example
 * await sendCallRailWebhook(`${api}/hooks/callrail/calls`, call, { signingKey });
 */
export async function sendCallRailWebhook(
  url: string,
  record: Record<string, unknown>,
  options: { signingKey: string; signature?: string },
): Promise<number> {
  const body = JSON.stringify(record);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      signature: options.signature ?? callrailSignature(options.signingKey, body),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
