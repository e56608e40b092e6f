import { describe, expect, it } from 'vitest';
import {
  decodeHubspotUri,
  hubspotSignatureV3,
  hubspotWebhooks,
  parseHubspotEvents,
} from './webhooks.js';

const secret = 'app-secret';
const now = new Date('2026-12-05T12:00:00Z');
const request = (url: string, body: string, timestamp: number, signature?: string) => ({
  method: 'POST',
  url,
  body: Buffer.from(body),
  headers: {
    'x-hubspot-request-timestamp': String(timestamp),
    'x-hubspot-signature-v3':
      signature ??
      hubspotSignatureV3(secret, { method: 'POST', url, body, timestamp: String(timestamp) }),
  },
});

describe('HubSpot webhooks', () => {
  it("signs over the URI with HubSpot's %-encoded characters decoded", () => {
    expect(decodeHubspotUri('https://h.example/hooks/hubspot?a=b%3Ac%2Fd%20e')).toBe(
      'https://h.example/hooks/hubspot?a=b:c/d%20e',
    );
    const url = 'https://h.example/hooks/hubspot?x=%40y';
    const ok = request(url, '[]', now.getTime());
    expect(hubspotWebhooks.verify(ok, secret, now)).toEqual({ ok: true });
    // The same signature on another body, or another URL, fails.
    expect(hubspotWebhooks.verify({ ...ok, body: Buffer.from('[{}]') }, secret, now).ok).toBe(
      false,
    );
    expect(hubspotWebhooks.verify({ ...ok, url: `${url}&z=1` }, secret, now).ok).toBe(false);
    expect(hubspotWebhooks.verify(ok, 'other-secret', now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const old = request(url, '[]', now.getTime() - 5 * 60_000 - 1);
    expect(hubspotWebhooks.verify(old, secret, now)).toEqual({
      ok: false,
      reason: 'stale-timestamp',
    });
  });

  it('maps subscription types to entities, deletions and merges', () => {
    const base = { subscriptionId: 7, occurredAt: 1, portalId: 1 };
    const events = parseHubspotEvents([
      { ...base, eventId: 1, subscriptionType: 'contact.propertyChange', objectId: 5 },
      { ...base, eventId: 2, subscriptionType: 'deal.deletion', objectId: 6 },
      {
        ...base,
        eventId: 3,
        subscriptionType: 'company.merge',
        objectId: 8,
        mergedObjectIds: [8, 9],
      },
      { ...base, eventId: 4, subscriptionType: 'contact.associationChange', objectId: 5 },
      { ...base, eventId: 5, subscriptionType: 'ticket.creation', objectId: 1 },
    ]);
    expect(events.map((e) => [e.eventId, e.entity, e.ids, e.deleted ?? false])).toEqual([
      ['7:1', 'contacts', ['5'], false],
      ['7:2', 'deals', ['6'], true],
      ['7:3', 'companies', ['8'], false],
      ['7:3:merged', 'companies', ['9'], true],
    ]);
    expect(() => parseHubspotEvents({ eventId: 1 })).toThrow(/expected an array of/);
  });
});
