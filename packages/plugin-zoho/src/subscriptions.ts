import { createHash } from 'node:crypto';
import { CrmsyncError, type WebhookSubscription, type WebhookSubscriptions } from '@crmsync/core';
import type { ZohoClient } from './client.js';

/** crmsync's standard Zoho entities → module API names. */
const STANDARD: Record<string, string> = {
  deals: 'Deals',
  contacts: 'Contacts',
  accounts: 'Accounts',
  leads: 'Leads',
};
/** Zoho (v4 and later) keeps a channel at most one week; crmsync asks a little less. */
export const MAX_CHANNEL_TTL_MS = 7 * 86_400_000 - 5 * 60_000;
/** Zoho's `token` is at most 50 characters. */
const TOKEN_MAX = 50;

interface WatchEntry {
  channel_id: string | number;
  channel_expiry?: string;
  notify_url: string;
  resource_name: string;
  events: string[];
  token?: string | null;
}

/** The channel crmsync uses for a notify URL: a stable number, so enabling again updates it. */
export const channelIdFor = (url: string) =>
  String(Number.parseInt(createHash('sha256').update(url).digest('hex').slice(0, 12), 16));

/** A channel is crmsync's when Zoho posts it to a crmsync `/hooks/zoho` endpoint. */
const isOurs = (w: WatchEntry) => {
  try {
    return /\/hooks\/zoho(\/|$)/.test(new URL(w.notify_url).pathname);
  } catch {
    return false;
  }
};

function moduleOf(entity: string): string {
  const standard = STANDARD[entity];
  if (standard) return standard;
  if (/^[A-Z][A-Za-z0-9_]*$/.test(entity)) return entity;
  throw new CrmsyncError(
    'config',
    `--entity ${entity}: give one of ${Object.keys(STANDARD).join(', ')} or a module API name as Zoho spells it (Vendors, Projects__c)`,
    { crm: 'zoho', field: 'entity' },
  );
}

function tokenOf(secret: string): string {
  if (secret.length > TOKEN_MAX)
    throw new CrmsyncError(
      'config',
      `ZOHO_WEBHOOK_SECRET: Zoho echoes it as the channel token, which is at most ${TOKEN_MAX} characters (got ${secret.length})`,
      { crm: 'zoho', field: 'ZOHO_WEBHOOK_SECRET' },
    );
  return secret;
}

const toSubscription = (w: WatchEntry): WebhookSubscription => ({
  id: String(w.channel_id),
  url: w.notify_url,
  entity: w.resource_name.toLowerCase(),
  events: w.events,
  active: true,
  ...(w.channel_expiry && { expiresAt: new Date(w.channel_expiry) }),
});

async function list(client: ZohoClient, signal: AbortSignal): Promise<WatchEntry[]> {
  const http = await client.http(signal);
  const res = await http.get<{ watch?: WatchEntry[] } | string>('/actions/watch', { signal });
  return res.status === 204 || typeof res.body !== 'object' ? [] : (res.body.watch ?? []);
}

async function watch(
  client: ZohoClient,
  channels: Array<{ channelId: string; url: string; events: string[]; token: string }>,
  expiresAt: Date,
  signal: AbortSignal,
): Promise<WebhookSubscription[]> {
  if (channels.length === 0) return [];
  const http = await client.http(signal);
  const res = await http.post<{
    watch?: Array<{
      status?: string;
      message?: string;
      details?: {
        events?: Array<{ channel_id: string; channel_expiry: string; resource_name: string }>;
      };
    }>;
  }>(
    '/actions/watch',
    {
      watch: channels.map((c) => ({
        channel_id: c.channelId,
        events: c.events,
        notify_url: c.url,
        token: c.token,
        // Zoho wants ISO 8601 with an offset; UTC's is fine.
        channel_expiry: expiresAt.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        notify_on_related_action: false,
      })),
    },
    { signal },
  );
  const out: WebhookSubscription[] = [];
  res.body.watch?.forEach((answer, i) => {
    const channel = channels[i];
    if (answer.status !== 'success' || !channel)
      throw new CrmsyncError('data', `zoho actions/watch: ${answer.message ?? 'refused'}`, {
        crm: 'zoho',
      });
    for (const e of answer.details?.events ?? [])
      out.push({
        id: String(e.channel_id),
        url: channel.url,
        entity: e.resource_name.toLowerCase(),
        events: channel.events.filter((name) => name.startsWith(`${e.resource_name}.`)),
        active: true,
        expiresAt: new Date(e.channel_expiry),
      });
  });
  return out;
}

const expiryFor = (ttlMs: number | undefined) =>
  new Date(
    Date.now() + Math.min(MAX_CHANNEL_TTL_MS, Math.max(60_000, ttlMs ?? MAX_CHANNEL_TTL_MS)),
  );

/**
 * Zoho CRM notification channels (`/crm/v8/actions/watch`): one channel per crmsync URL
 * watching `<Module>.all` of each entity, with `ZOHO_WEBHOOK_SECRET` as its `token` (Zoho
 * echoes it in every notification). A channel expires (`channel_expiry`, at most a week):
 * `renew` subscribes crmsync's channels again with a new expiry — `crmsync worker` and `start`
 * do it on their own a day before expiry (the `crmsync:renew-webhooks` job), and `crmsync hooks
 * renew zoho` does it at once.
 */
export const zohoSubscriptions: WebhookSubscriptions<ZohoClient> = {
  async list(client, signal) {
    return (await list(client, signal)).map(toSubscription);
  },
  async enable(client, request) {
    const token = tokenOf(request.secret);
    const modules = (request.entities?.length ? request.entities : Object.keys(STANDARD)).map(
      moduleOf,
    );
    return watch(
      client,
      [
        {
          channelId: channelIdFor(request.url),
          url: request.url,
          events: modules.map((m) => `${m}.all`),
          token,
        },
      ],
      expiryFor(request.ttlMs),
      request.signal,
    );
  },
  async renew(client, request) {
    const token = tokenOf(request.secret);
    const channels = new Map<
      string,
      { channelId: string; url: string; events: string[]; token: string }
    >();
    for (const w of (await list(client, request.signal)).filter(isOurs)) {
      const id = String(w.channel_id);
      const c = channels.get(id) ?? { channelId: id, url: w.notify_url, events: [], token };
      c.events.push(...w.events);
      channels.set(id, c);
    }
    return watch(client, [...channels.values()], expiryFor(request.ttlMs), request.signal);
  },
  async disable(client, ids, signal) {
    const targets = ids.length
      ? [...new Set(ids)]
      : [...new Set((await list(client, signal)).filter(isOurs).map((w) => String(w.channel_id)))];
    if (targets.length === 0) return [];
    const http = await client.http(signal);
    const res = await http.request<{
      watch?: Array<{ status?: string; message?: string; details?: { channel_id?: string } }>;
    }>('/actions/watch', { method: 'DELETE', query: { channel_ids: targets.join(',') }, signal });
    const failed = (res.body.watch ?? []).filter((w) => w.status !== 'success');
    if (failed.length)
      throw new CrmsyncError(
        'data',
        `zoho actions/watch: channel ${failed.map((f) => f.details?.channel_id ?? '?').join(', ')}: ${failed[0]?.message ?? 'refused'}`,
        { crm: 'zoho' },
      );
    return targets;
  },
};
