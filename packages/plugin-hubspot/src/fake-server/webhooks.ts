import { hubspotSignatureV3 } from '../webhooks.js';

/** One event of a HubSpot webhook request body (CRM object subscriptions). */
export interface HubspotWebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
  mergedObjectIds?: number[];
}

export interface SendWebhookOptions {
  /** The app's client secret, which signs the request. */
  clientSecret: string;
  /** `X-HubSpot-Request-Timestamp` in ms (default now): an old one makes a replay. */
  timestamp?: number;
  /** Sends this signature instead of the right one. */
  signature?: string;
}

/**
 * Sends webhooks the way HubSpot does: a JSON array of up to 100 events per POST, signed with
 * the v3 scheme (`X-HubSpot-Signature-v3`, `X-HubSpot-Request-Timestamp`), event ids
 * increasing across calls.
 *
 * @example
 * const hooks = new HubspotWebhookSender();
 * await hooks.send(`${api}/hooks/hubspot`, hooks.events('contact.propertyChange', [1, 2]), { clientSecret });
 */
export class HubspotWebhookSender {
  #nextEventId = 1;
  readonly portalId: number;
  readonly appId: number;

  constructor(options: { portalId?: number; appId?: number } = {}) {
    this.portalId = options.portalId ?? 62515;
    this.appId = options.appId ?? 54321;
  }

  /** Events of one subscription type (`contact.propertyChange`, `deal.deletion`, …) for these ids. */
  events(subscriptionType: string, objectIds: number[], at = new Date()): HubspotWebhookEvent[] {
    const subscriptionId = SUBSCRIPTIONS.indexOf(subscriptionType) + 1000;
    return objectIds.map((objectId) => ({
      eventId: this.#nextEventId++,
      subscriptionId,
      portalId: this.portalId,
      appId: this.appId,
      occurredAt: at.getTime(),
      subscriptionType,
      attemptNumber: 0,
      objectId,
      changeSource: 'CRM',
      ...(subscriptionType.endsWith('.propertyChange') && {
        propertyName: 'firstname',
        propertyValue: 'Changed',
      }),
      ...(subscriptionType.endsWith('.creation') && { changeFlag: 'NEW' }),
    }));
  }

  /** POSTs `events` to `url` in requests of up to 100; returns each answer's status. */
  async send(
    url: string,
    events: HubspotWebhookEvent[],
    options: SendWebhookOptions,
  ): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < events.length; i += 100)
      statuses.push(await this.post(url, JSON.stringify(events.slice(i, i + 100)), options));
    return statuses;
  }

  /** POSTs one raw body, signed (or not, per `options`). */
  async post(url: string, body: string, options: SendWebhookOptions): Promise<number> {
    const timestamp = String(options.timestamp ?? Date.now());
    const signature =
      options.signature ??
      hubspotSignatureV3(options.clientSecret, { method: 'POST', url, body, timestamp });
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hubspot-signature-v3': signature,
        'x-hubspot-request-timestamp': timestamp,
      },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }
}

const SUBSCRIPTIONS = [
  'contact.creation',
  'contact.deletion',
  'contact.propertyChange',
  'contact.merge',
  'contact.restore',
  'company.creation',
  'company.deletion',
  'company.propertyChange',
  'deal.creation',
  'deal.deletion',
  'deal.propertyChange',
];
