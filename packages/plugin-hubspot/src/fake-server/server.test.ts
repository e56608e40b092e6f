import { afterEach, describe, expect, it } from 'vitest';
import { FakeHubspotServer } from './server.js';

let fake: FakeHubspotServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function call(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  if (!fake) throw new Error('no fake');
  const res = await fetch(`${fake.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${init.token ?? fake.accessToken}`,
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown> & {
      results: Array<Record<string, unknown>>;
    },
  };
}

describe('fake HubSpot', () => {
  it('pages lists by after, with no paging key on the last page and every property a string', async () => {
    fake = await FakeHubspotServer.start({ counts: { contacts: 25 } });
    const first = await call(
      '/crm/v3/objects/contacts?limit=10&properties=email,hubspot_owner_id,zip',
    );
    expect(first.status).toBe(200);
    expect(first.body.results).toHaveLength(10);
    const after = (first.body.paging as { next: { after: string } }).next.after;
    const last = await call(`/crm/v3/objects/contacts?limit=20&after=${after}`);
    expect(last.body.results).toHaveLength(15);
    expect('paging' in last.body).toBe(false);
    const r = first.body.results[0] as {
      properties: Record<string, unknown>;
      createdAt: string;
      archived: boolean;
    };
    for (const v of Object.values(r.properties))
      expect(v === null || typeof v === 'string').toBe(true);
    expect(r).toMatchObject({
      archived: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await call('/crm/v3/objects/contacts?limit=101')).status).toBe(400);
  });

  it('answers 401 with a HubSpot error body for a wrong token', async () => {
    fake = await FakeHubspotServer.start({ counts: { contacts: 1 } });
    const res = await call('/crm/v3/objects/contacts', { token: 'nope' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      status: 'error',
      category: 'INVALID_AUTHENTICATION',
      correlationId: expect.any(String),
    });
  });

  it('searches with OR-ed groups of AND-ed filters, sorts as objects or strings, a total and a 10,000 cap', async () => {
    fake = await FakeHubspotServer.start({ counts: { contacts: 50 } });
    const body = {
      filterGroups: [
        {
          filters: [
            { propertyName: 'hs_object_id', operator: 'BETWEEN', value: '5', highValue: '7' },
          ],
        },
        {
          filters: [
            { propertyName: 'hs_object_id', operator: 'IN', values: ['40', '41'] },
            { propertyName: 'hs_object_id', operator: 'GT', value: '40' },
          ],
        },
      ],
      sorts: ['-hs_object_id'],
      limit: 200,
    };
    const res = await call('/crm/v3/objects/contacts/search', { method: 'POST', body });
    expect(res.body.total).toBe(4);
    expect(res.body.results.map((r) => r.id)).toEqual(['41', '7', '6', '5']);
    expect(res.headers.has('x-hubspot-ratelimit-remaining')).toBe(false);
    const asc = await call('/crm/v3/objects/contacts/search', {
      method: 'POST',
      body: { ...body, sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }] },
    });
    expect(asc.body.results.map((r) => r.id)).toEqual(['5', '6', '7', '41']);
    expect(
      (await call('/crm/v3/objects/contacts/search', { method: 'POST', body: { after: '10000' } }))
        .status,
    ).toBe(400);
    expect(
      (await call('/crm/v3/objects/contacts/search', { method: 'POST', body: { limit: 201 } }))
        .status,
    ).toBe(400);
  });

  it('serves archived records only with archived=true, with archivedAt', async () => {
    fake = await FakeHubspotServer.start({ counts: { deals: 5 } });
    fake.objects('deals').archive([2], new Date());
    expect((await call('/crm/v3/objects/deals')).body.results.map((r) => r.id)).toEqual([
      '1',
      '3',
      '4',
      '5',
    ]);
    const archived = await call('/crm/v3/objects/deals?archived=true');
    expect(archived.body.results).toMatchObject([
      { id: '2', archived: true, archivedAt: expect.any(String) },
    ]);
    const search = await call('/crm/v3/objects/deals/search', { method: 'POST', body: {} });
    expect(search.body.total).toBe(4);
  });

  it('enforces the rolling 10-second limit with the 429 body and headers on normal answers', async () => {
    fake = await FakeHubspotServer.start({ counts: { contacts: 1 }, rateLimit: 3 });
    const ok = await call('/crm/v3/objects/contacts');
    expect(ok.headers.get('x-hubspot-ratelimit-max')).toBe('3');
    expect(ok.headers.get('x-hubspot-ratelimit-remaining')).toBe('2');
    expect(ok.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    await call('/crm/v3/objects/contacts');
    await call('/crm/v3/objects/contacts');
    const limited = await call('/crm/v3/objects/contacts');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
  });

  it('limits search to 5 per second, its 429 without rate-limit headers', async () => {
    fake = await FakeHubspotServer.start({ counts: { contacts: 1 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await call('/crm/v3/objects/contacts/search', { method: 'POST', body: {} })).status,
      );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('issues OAuth tokens for the refresh token (form-encoded) and refuses others', async () => {
    fake = await FakeHubspotServer.start({
      oauth: { clientId: 'a', clientSecret: 'b', refreshToken: 'c', expiresInSeconds: 60 },
    });
    const token = (form: Record<string, string>) =>
      fetch(`${fake?.baseUrl}/oauth/v1/token`, { method: 'POST', body: new URLSearchParams(form) });
    const good = await token({
      grant_type: 'refresh_token',
      client_id: 'a',
      client_secret: 'b',
      refresh_token: 'c',
    });
    const body = (await good.json()) as { access_token: string; expires_in: number };
    expect(body.expires_in).toBe(60);
    expect((await call('/crm/v3/objects/contacts', { token: body.access_token })).status).toBe(200);
    fake.expireTokens();
    const expired = await call('/crm/v3/objects/contacts', { token: body.access_token });
    expect(expired.body.category).toBe('EXPIRED_AUTHENTICATION');
    expect(
      (
        await token({
          grant_type: 'refresh_token',
          client_id: 'a',
          client_secret: 'x',
          refresh_token: 'c',
        })
      ).status,
    ).toBe(400);
  });
});
