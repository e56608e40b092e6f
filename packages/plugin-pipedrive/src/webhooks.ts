import { createHash } from 'node:crypto';
import {
  CrmsyncError,
  verifyBasicAuth,
  type WebhookCapability,
  type WebhookEvent,
  webhookHeader,
} from '@crmsync/core';
import { pipedriveSubscriptions } from './subscriptions.js';

/** Pipedrive's singular object names → the plugin's entities. */
const ENTITIES: Record<string, string> = {
  deal: 'deals',
  person: 'persons',
  organization: 'organizations',
  activity: 'activities',
  product: 'products',
};

const DELETE = new Set(['delete', 'deleted']);
const CHANGE = new Set(['create', 'change', 'added', 'updated', 'merged']);

/**
 * Pipedrive webhooks (`POST /v1/webhooks` with `http_auth_user` / `http_auth_password`):
 * Pipedrive sends those credentials as HTTP Basic on every delivery, so the secret is
 * `user:password`. Pipedrive signs nothing with a timestamp, so there is no replay window; a
 * replay carries the same event id (v2 `meta.id`, else the body's hash) and is dropped.
 * Reads webhooks v2 (`meta.action` create/change/delete, `meta.entity`, `meta.entity_id`) and
 * v1 (`meta.action` added/updated/deleted, `meta.object`, `meta.id`).
 */
export const pipedriveWebhooks: WebhookCapability = {
  secretEnv: 'PIPEDRIVE_WEBHOOK_SECRET',
  subscriptions: pipedriveSubscriptions,
  verify: (request, secret) => verifyBasicAuth(webhookHeader(request, 'authorization'), secret),
  parse(body, request): WebhookEvent[] {
    const meta = (body as { meta?: Record<string, unknown> } | null)?.meta;
    const action = meta?.action;
    const object = meta?.entity ?? meta?.object;
    const id = meta?.entity_id ?? meta?.id;
    if (
      typeof action !== 'string' ||
      typeof object !== 'string' ||
      (typeof id !== 'string' && typeof id !== 'number')
    )
      throw new CrmsyncError(
        'data',
        'pipedrive webhook body: expected meta.action, meta.entity (or meta.object) and meta.entity_id (or meta.id)',
        { crm: 'pipedrive', field: 'meta', expected: 'a Pipedrive webhook payload' },
      );
    const entity = ENTITIES[object];
    if (!entity || !(DELETE.has(action) || CHANGE.has(action))) return [];
    const eventId =
      meta?.version === '2.0' && typeof meta.id === 'string'
        ? meta.id
        : createHash('sha256').update(request.body).digest('hex');
    return [
      {
        eventId,
        entity,
        ids: [String(id)],
        ...(DELETE.has(action) && { deleted: true }),
      },
    ];
  },
};
