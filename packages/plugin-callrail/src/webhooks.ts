import { createHash } from 'node:crypto';
import {
  CrmsyncError,
  hmacDigest,
  verifyHmacHeader,
  type WebhookCapability,
  type WebhookEvent,
  webhookHeader,
} from '@crmsync/core';

/** Entities whose records CallRail posts webhooks for, by the URL segment that names them. */
const ENTITIES = new Set(['calls', 'form_submissions', 'text_messages']);

/**
 * CallRail webhooks (post-call, call modified, text message, form submission). CallRail signs
 * each body with the account's webhook signing key: the `Signature` header is the base64
 * HMAC-SHA1 of the raw body. The body carries no signed timestamp, so there is no replay
 * window: a replayed body hashes to the same event id and is dropped as a duplicate.
 * CallRail sends one URL per webhook type: `/hooks/callrail/<entity>` names the entity
 * (`/hooks/callrail` means calls).
 */
export const callrailWebhooks: WebhookCapability = {
  secretEnv: 'CALLRAIL_WEBHOOK_SECRET',
  manualSetup:
    'CallRail webhooks are set up in its web app, per company, not through crmsync: in CallRail pick the company, then Settings → Integrations → Webhooks, and enter <public URL>/hooks/callrail/calls as the post-call and call-modified webhook (…/hooks/callrail/text_messages for text messages, …/hooks/callrail/form_submissions for forms). Set CALLRAIL_WEBHOOK_SECRET to the account’s webhook signing key (CallRail signs each body with it).',
  verify: (request, secret) =>
    verifyHmacHeader(webhookHeader(request, 'signature'), {
      algorithm: 'sha1',
      key: secret,
      message: request.body,
      encoding: 'base64',
    }),
  parse(body, request): WebhookEvent[] {
    const entity = request.entity ?? 'calls';
    if (!ENTITIES.has(entity))
      throw new CrmsyncError(
        'data',
        `callrail webhook for ${entity}: expected one of ${[...ENTITIES].join(', ')} in the URL`,
        { crm: 'callrail', field: 'entity', expected: [...ENTITIES].join(' | ') },
      );
    const record = body as Record<string, unknown> | null;
    const id = record && typeof record === 'object' ? (record.resource_id ?? record.id) : undefined;
    if (typeof id !== 'string' && typeof id !== 'number')
      throw new CrmsyncError(
        'data',
        'callrail webhook body: expected an object with resource_id (or id)',
        { crm: 'callrail', field: 'resource_id', expected: 'the record id' },
      );
    return [
      {
        eventId: createHash('sha256').update(request.body).digest('hex'),
        entity,
        ids: [String(id)],
        record,
      },
    ];
  },
};

/** What CallRail puts in the `Signature` header of `body`, for fakes and tests. */
export function callrailSignature(signingKey: string, body: string | Buffer): string {
  return hmacDigest('sha1', signingKey, body, 'base64');
}
