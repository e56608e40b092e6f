import {
  CrmsyncError,
  checkTimestampWindow,
  hmacDigest,
  verifyHmacHeader,
  type WebhookCapability,
  type WebhookEvent,
  type WebhookRequest,
  webhookHeader,
} from '@crmsync/core';
import { z } from 'zod';
import { hubspotSubscriptions } from './subscriptions.js';

/**
 * HubSpot's v3 request signature: base64 HMAC-SHA256, keyed by the app's client secret, of
 * method + URI + body + the `X-HubSpot-Request-Timestamp` value (ms), refused once the
 * timestamp is more than five minutes away. The URI is the full URL with HubSpot's list of
 * percent-encoded characters decoded.
 */
export function hubspotSignatureV3(
  secret: string,
  request: { method: string; url: string; body: Buffer | string; timestamp: string },
): string {
  const message = `${request.method.toUpperCase()}${decodeHubspotUri(request.url)}${request.body.toString()}${request.timestamp}`;
  return hmacDigest('sha256', secret, Buffer.from(message, 'utf8'), 'base64');
}

/** The characters HubSpot's guide says to URL-decode in the URI before signing. */
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function decodeHubspotUri(url: string): string {
  return url.replace(
    /%3A|%2F|%3F|%40|%21|%24|%27|%28|%29|%2A|%2C|%3B/gi,
    (m) => DECODED[m.toUpperCase()] ?? m,
  );
}

/** The CRM object of a `subscriptionType` prefix, as the plugin's entity names them. */
const OBJECTS: Record<string, string> = {
  contact: 'contacts',
  company: 'companies',
  deal: 'deals',
};

const event = z.looseObject({
  eventId: z.union([z.number(), z.string()]),
  subscriptionId: z.union([z.number(), z.string()]).optional(),
  subscriptionType: z.string(),
  objectId: z.union([z.number(), z.string()]),
  occurredAt: z.number().optional(),
  mergedObjectIds: z.array(z.union([z.number(), z.string()])).optional(),
});
const payload = z.array(event);

/**
 * `contact.creation` / `.propertyChange` / `.restore` re-read the record; `.deletion` and
 * `.privacyDeletion` soft-delete it; `.merge` re-reads the winner and removes the merged ids.
 * Association changes and types the plugin does not sync are ignored.
 */
export function parseHubspotEvents(body: unknown): WebhookEvent[] {
  const parsed = payload.safeParse(body);
  if (!parsed.success)
    throw new CrmsyncError(
      'data',
      `hubspot webhook body: expected an array of {eventId, subscriptionType, objectId} (${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message})`,
      { crm: 'hubspot', field: 'body', expected: 'array of webhook events' },
    );
  const events: WebhookEvent[] = [];
  for (const e of parsed.data) {
    const [object, action] = e.subscriptionType.split('.');
    const entity = object ? OBJECTS[object] : undefined;
    if (!entity || !action) continue;
    const eventId = `${e.subscriptionId ?? ''}:${e.eventId}`;
    const occurredAt = e.occurredAt === undefined ? {} : { occurredAt: new Date(e.occurredAt) };
    const id = String(e.objectId);
    if (action === 'deletion' || action === 'privacyDeletion')
      events.push({ eventId, entity, ids: [id], deleted: true, ...occurredAt });
    else if (action === 'creation' || action === 'propertyChange' || action === 'restore')
      events.push({ eventId, entity, ids: [id], ...occurredAt });
    else if (action === 'merge') {
      events.push({ eventId, entity, ids: [id], ...occurredAt });
      const merged = (e.mergedObjectIds ?? []).map(String).filter((m) => m !== id);
      if (merged.length > 0)
        events.push({
          eventId: `${eventId}:merged`,
          entity,
          ids: merged,
          deleted: true,
          ...occurredAt,
        });
    }
  }
  return events;
}

export const hubspotWebhooks: WebhookCapability = {
  secretEnv: 'HUBSPOT_WEBHOOK_SECRET',
  subscriptions: hubspotSubscriptions,
  verify(request: WebhookRequest, secret: string, now = new Date()) {
    const timestamp = webhookHeader(request, 'x-hubspot-request-timestamp');
    const signature = webhookHeader(request, 'x-hubspot-signature-v3');
    if (!timestamp || !signature) return { ok: false, reason: 'missing-signature' };
    const window = checkTimestampWindow(timestamp, 'ms', now);
    if (!window.ok) return window;
    const message = `${request.method.toUpperCase()}${decodeHubspotUri(request.url)}${request.body.toString('utf8')}${timestamp}`;
    return verifyHmacHeader(signature, {
      algorithm: 'sha256',
      key: secret,
      message: Buffer.from(message, 'utf8'),
      encoding: 'base64',
    });
  },
  parse: (body) => parseHubspotEvents(body),
};
