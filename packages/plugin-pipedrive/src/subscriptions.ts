import {
  CrmsyncError,
  type EnableSubscriptionRequest,
  type WebhookSubscription,
  type WebhookSubscriptions,
} from '@crmsync/core';
import type { PipedriveClient } from './client.js';

/** crmsync's entities → Pipedrive's `event_object`. */
export const EVENT_OBJECTS: Record<string, string> = {
  deals: 'deal',
  persons: 'person',
  organizations: 'organization',
  activities: 'activity',
  products: 'product',
};
/** The name crmsync gives its webhooks, so `disable` without ids removes only those. */
const NAME_PREFIX = 'crmsync ';

interface PipedriveWebhook {
  id: number;
  event_action: string;
  event_object: string;
  subscription_url: string;
  is_active: number;
  name?: string;
}

/** `/v1/webhooks` sits beside the v2 base (`https://x.pipedrive.com/api/v2` → `…/v1/webhooks`). */
const webhooksUrl = (client: PipedriveClient, id?: number) =>
  `${new URL(client.http.options.baseUrl).origin}/v1/webhooks${id === undefined ? '' : `/${id}`}`;

const toSubscription = (w: PipedriveWebhook): WebhookSubscription => ({
  id: String(w.id),
  url: w.subscription_url,
  entity:
    w.event_object === '*'
      ? '*'
      : (Object.entries(EVENT_OBJECTS).find(([, o]) => o === w.event_object)?.[0] ??
        w.event_object),
  events: [`${w.event_action}.${w.event_object}`],
  active: w.is_active === 1,
});

/** `PIPEDRIVE_WEBHOOK_SECRET` is `user:password`: the Basic credentials set on each webhook. */
export function basicCredentials(secret: string): { user: string; password: string } {
  const at = secret.indexOf(':');
  if (at <= 0 || at === secret.length - 1)
    throw new CrmsyncError(
      'config',
      'PIPEDRIVE_WEBHOOK_SECRET: expected user:password (the HTTP Basic credentials Pipedrive sends with each webhook)',
      { crm: 'pipedrive', field: 'PIPEDRIVE_WEBHOOK_SECRET' },
    );
  return { user: secret.slice(0, at), password: secret.slice(at + 1) };
}

async function list(client: PipedriveClient, signal: AbortSignal): Promise<PipedriveWebhook[]> {
  const res = await client.http.get<{ data?: PipedriveWebhook[] | null }>(webhooksUrl(client), {
    signal,
  });
  return res.body.data ?? [];
}

/**
 * Pipedrive webhooks through its v1 API (`GET/POST /v1/webhooks`, `DELETE /v1/webhooks/{id}`;
 * the token needs admin rights): one webhook per entity (`event_action` `*`, version 2.0),
 * named `crmsync <entity>`, carrying the secret as `http_auth_user` / `http_auth_password`.
 * Enabling again with the same URL keeps the existing webhook rather than adding a second.
 */
export const pipedriveSubscriptions: WebhookSubscriptions<PipedriveClient> = {
  async list(client, signal) {
    return (await list(client, signal)).map(toSubscription);
  },
  async enable(client, request: EnableSubscriptionRequest) {
    const { user, password } = basicCredentials(request.secret);
    const entities = request.entities?.length ? request.entities : Object.keys(EVENT_OBJECTS);
    for (const entity of entities)
      if (!EVENT_OBJECTS[entity])
        throw new CrmsyncError(
          'config',
          `--entity ${entity}: Pipedrive webhooks report ${Object.keys(EVENT_OBJECTS).join(', ')}`,
          { crm: 'pipedrive', field: 'entity' },
        );
    const existing = await list(client, request.signal);
    const out: WebhookSubscription[] = [];
    for (const entity of entities) {
      const object = EVENT_OBJECTS[entity] as string;
      const same = existing.find(
        (w) =>
          w.subscription_url === request.url && w.event_object === object && w.event_action === '*',
      );
      if (same) {
        out.push(toSubscription(same));
        continue;
      }
      const res = await client.http.post<{ data: PipedriveWebhook }>(
        webhooksUrl(client),
        {
          subscription_url: request.url,
          event_action: '*',
          event_object: object,
          name: `${NAME_PREFIX}${entity}`,
          http_auth_user: user,
          http_auth_password: password,
          version: '2.0',
        },
        { signal: request.signal },
      );
      out.push(toSubscription(res.body.data));
    }
    return out;
  },
  async disable(client, ids, signal) {
    const targets = ids.length
      ? ids.map(Number)
      : (await list(client, signal))
          .filter((w) => w.name?.startsWith(NAME_PREFIX))
          .map((w) => w.id);
    for (const id of targets)
      await client.http.request(webhooksUrl(client, id), { method: 'DELETE', signal });
    return targets.map(String);
  },
};
