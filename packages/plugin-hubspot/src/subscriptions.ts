import {
  CrmsyncError,
  HttpClient,
  type WebhookSubscription,
  type WebhookSubscriptions,
} from '@crmsync/core';
import type { HubspotClient } from './client.js';

/** The developer app whose webhooks crmsync manages: `HUBSPOT_APP_ID`, `HUBSPOT_DEVELOPER_API_KEY`. */
export interface HubspotDeveloperApp {
  baseUrl: string;
  appId: string;
  apiKey: string;
}

const apps = new WeakMap<HubspotClient, HubspotDeveloperApp>();

/** Remembers the developer app beside the client (`createClient`, when both are configured). */
export function setDeveloperApp(client: HubspotClient, app: HubspotDeveloperApp): void {
  apps.set(client, app);
}

/** crmsync's entities → HubSpot's object in `eventType`. */
const OBJECTS: Record<string, string> = {
  contacts: 'contact',
  companies: 'company',
  deals: 'deal',
};
/** Events that need no property: the parser re-reads, soft-deletes or merges on these. */
const ACTIONS = ['creation', 'deletion', 'merge', 'restore'];
/**
 * `propertyChange` needs one subscription per property: these, per object (more can be added
 * in HubSpot; any property change event re-reads the record).
 */
export const WATCHED_PROPERTIES: Record<string, string[]> = {
  contact: ['email', 'firstname', 'lastname', 'phone', 'lifecyclestage', 'hubspot_owner_id'],
  company: ['name', 'domain', 'phone', 'industry', 'hubspot_owner_id'],
  deal: ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'hubspot_owner_id'],
};

interface Subscription {
  id: number;
  eventType: string;
  propertyName?: string;
  active: boolean;
}
interface Settings {
  targetUrl: string;
}

function appOf(client: HubspotClient): { http: HttpClient; path: string; apiKey: string } {
  const app = apps.get(client);
  if (!app)
    throw new CrmsyncError(
      'config',
      'hubspot webhooks are managed through your developer app: set HUBSPOT_APP_ID and HUBSPOT_DEVELOPER_API_KEY',
      { crm: 'hubspot', field: 'HUBSPOT_DEVELOPER_API_KEY' },
    );
  // The developer API key goes in `hapikey`, never a bearer token; it is kept out of errors.
  const http = new HttpClient({
    crm: 'hubspot',
    baseUrl: app.baseUrl,
    auth: { headers: async () => ({}), secrets: () => [app.apiKey] },
    retries: 2,
  });
  return { http, path: `/webhooks/v3/${encodeURIComponent(app.appId)}`, apiKey: app.apiKey };
}

async function state(client: HubspotClient, signal: AbortSignal) {
  const { http, path, apiKey } = appOf(client);
  const query = { hapikey: apiKey };
  let settings: Settings | undefined;
  try {
    settings = (await http.get<Settings>(`${path}/settings`, { query, signal })).body;
  } catch (error) {
    if (!(error instanceof CrmsyncError && error.context.status === 404)) throw error;
  }
  const subs = (
    await http.get<{ results?: Subscription[] }>(`${path}/subscriptions`, { query, signal })
  ).body.results;
  return { http, path, query, settings, subs: subs ?? [] };
}

const entityOf = (eventType: string) => {
  const object = eventType.split('.')[0] ?? '';
  return Object.entries(OBJECTS).find(([, o]) => o === object)?.[0] ?? object;
};

const toSubscription = (s: Subscription, url: string): WebhookSubscription => ({
  id: String(s.id),
  url,
  entity: entityOf(s.eventType),
  events: [s.propertyName ? `${s.eventType}:${s.propertyName}` : s.eventType],
  active: s.active,
});

/**
 * HubSpot app webhooks (webhooks API v3, developer API key): the app has one target URL
 * (`PUT /webhooks/v3/{appId}/settings`) and event subscriptions (`POST …/subscriptions`):
 * creation, deletion, merge and restore of each object, and property changes of a few
 * properties each (`WATCHED_PROPERTIES`). Requests are signed with the app's client secret
 * (`HUBSPOT_WEBHOOK_SECRET`), which is not set here. Enabling again adds only what is missing.
 */
export const hubspotSubscriptions: WebhookSubscriptions<HubspotClient> = {
  async list(client, signal) {
    const s = await state(client, signal);
    return s.subs.map((sub) => toSubscription(sub, s.settings?.targetUrl ?? ''));
  },
  async enable(client, request) {
    const entities = request.entities?.length ? request.entities : Object.keys(OBJECTS);
    for (const entity of entities)
      if (!OBJECTS[entity])
        throw new CrmsyncError(
          'config',
          `--entity ${entity}: HubSpot webhooks report ${Object.keys(OBJECTS).join(', ')}`,
          { crm: 'hubspot', field: 'entity' },
        );
    const s = await state(client, request.signal);
    await s.http.request(`${s.path}/settings`, {
      method: 'PUT',
      query: s.query,
      body: {
        targetUrl: request.url,
        throttling: { period: 'SECONDLY', maxConcurrentRequests: 10 },
      },
      signal: request.signal,
    });
    const key = (eventType: string, property?: string) => `${eventType}|${property ?? ''}`;
    const have = new Map(s.subs.map((sub) => [key(sub.eventType, sub.propertyName), sub]));
    const out: WebhookSubscription[] = [];
    for (const entity of entities) {
      const object = OBJECTS[entity] as string;
      const wanted: Array<{ eventType: string; propertyName?: string }> = [
        ...ACTIONS.map((a) => ({ eventType: `${object}.${a}` })),
        ...(WATCHED_PROPERTIES[object] ?? []).map((p) => ({
          eventType: `${object}.propertyChange`,
          propertyName: p,
        })),
      ];
      for (const w of wanted) {
        let sub = have.get(key(w.eventType, w.propertyName));
        if (!sub)
          sub = (
            await s.http.post<Subscription>(
              `${s.path}/subscriptions`,
              { ...w, active: true },
              { query: s.query, signal: request.signal },
            )
          ).body;
        out.push(toSubscription(sub, request.url));
      }
    }
    return out;
  },
  async disable(client, ids, signal) {
    const s = await state(client, signal);
    // Without ids: every subscription of the app's objects crmsync reads, and the target URL.
    const targets = ids.length
      ? [...ids]
      : s.subs
          .filter((sub) => Object.values(OBJECTS).includes(sub.eventType.split('.')[0] ?? ''))
          .map((sub) => String(sub.id));
    for (const id of targets)
      await s.http.request(`${s.path}/subscriptions/${encodeURIComponent(id)}`, {
        method: 'DELETE',
        query: s.query,
        signal,
      });
    if (!ids.length && s.settings)
      await s.http.request(`${s.path}/settings`, { method: 'DELETE', query: s.query, signal });
    return targets;
  },
};
