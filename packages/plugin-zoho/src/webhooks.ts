import { createHash } from 'node:crypto';
import {
  CrmsyncError,
  verifySharedSecret,
  type WebhookCapability,
  type WebhookEvent,
} from '@crmsync/core';
import { z } from 'zod';
import { zohoSubscriptions } from './subscriptions.js';

const notification = z.looseObject({
  server_time: z.number().optional(),
  module: z.union([z.string(), z.looseObject({ api_name: z.string() })]),
  ids: z.array(z.union([z.string(), z.number()])),
  operation: z.enum(['insert', 'update', 'delete']),
  channel_id: z.union([z.string(), z.number()]).optional(),
  token: z.string().optional(),
});

const tokenOf = (body: Buffer): string | undefined => {
  try {
    const json = JSON.parse(body.toString('utf8')) as { token?: unknown };
    return typeof json.token === 'string' ? json.token : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Zoho CRM notifications (`actions/watch`): Zoho echoes the channel's `token` in each body,
 * which is all it offers to verify one (no signature, no signed timestamp, so no replay
 * window: a replayed body has the same event id and is dropped as a duplicate). `delete`
 * soft-deletes the ids; `insert` and `update` re-read them.
 */
export const zohoWebhooks: WebhookCapability = {
  secretEnv: 'ZOHO_WEBHOOK_SECRET',
  subscriptions: zohoSubscriptions,
  verify: (request, secret) => verifySharedSecret(tokenOf(request.body), secret),
  parse(body, request): WebhookEvent[] {
    const parsed = notification.safeParse(body);
    if (!parsed.success)
      throw new CrmsyncError(
        'data',
        `zoho notification body: expected {module, ids, operation, token} (${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message})`,
        { crm: 'zoho', field: 'body', expected: 'a Zoho notification' },
      );
    const n = parsed.data;
    const module = typeof n.module === 'string' ? n.module : n.module.api_name;
    // The plugin names each module's entity by its API name in lower case (`Deals` → `deals`).
    const entity = module.toLowerCase();
    const eventId = createHash('sha256').update(request.body).digest('hex');
    return [
      {
        eventId,
        entity,
        ids: n.ids.map(String),
        ...(n.operation === 'delete' && { deleted: true }),
        ...(n.server_time !== undefined && { occurredAt: new Date(n.server_time) }),
      },
    ];
  },
};
