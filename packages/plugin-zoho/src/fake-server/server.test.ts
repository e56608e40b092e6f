import { afterEach, describe, expect, it } from 'vitest';
import { type FakeZoho, startFakeZoho } from './index.js';

let fake: FakeZoho | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function call(path: string, init: RequestInit & { token?: string; scheme?: string } = {}) {
  const f = fake as FakeZoho;
  const token = init.token ?? f.issueToken();
  const res = await fetch(`${f.url}${path}`, {
    ...init,
    headers: {
      authorization: `${init.scheme ?? 'Zoho-oauthtoken'} ${token}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('fake zoho: the contract', () => {
  it('answers the refresh grant with access_token, api_domain and expires_in; a bad refresh token with 200 {error}', async () => {
    fake = await startFakeZoho();
    const token = async (refresh: string) => {
      const res = await fetch(`${fake?.url}/oauth/v2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: fake?.client.clientId ?? '',
          client_secret: fake?.client.clientSecret ?? '',
          refresh_token: refresh,
        }),
      });
      return { status: res.status, body: await res.json() };
    };
    expect(await token(fake.client.refreshToken)).toMatchObject({
      status: 200,
      body: { access_token: expect.any(String), api_domain: fake.url, expires_in: 3600 },
    });
    expect(await token('1000.wrong')).toEqual({ status: 200, body: { error: 'invalid_code' } });
  });

  it('refuses Bearer and unknown tokens with 401 INVALID_TOKEN', async () => {
    fake = await startFakeZoho({ size: 1 });
    const bearer = await call('/crm/v8/Deals?fields=Deal_Name', { scheme: 'Bearer' });
    expect(bearer).toMatchObject({ status: 401, body: { code: 'INVALID_TOKEN', status: 'error' } });
    const unknown = await call('/crm/v8/Deals?fields=Deal_Name', { token: 'nope' });
    expect(unknown.status).toBe(401);
    expect((await call('/crm/v8/Deals?fields=Deal_Name')).status).toBe(200);
  });

  it('requires fields (≤ 50), caps per_page at 200 and page at 2,000 records', async () => {
    fake = await startFakeZoho({ size: 3 });
    expect(await call('/crm/v8/Deals')).toMatchObject({
      status: 400,
      body: { code: 'REQUIRED_PARAM_MISSING', details: { param_name: 'fields' } },
    });
    expect((await call('/crm/v8/Deals?fields=Deal_Name&per_page=201')).status).toBe(400);
    expect(await call('/crm/v8/Deals?fields=Deal_Name&page=11&per_page=200')).toMatchObject({
      status: 400,
      body: { code: 'DISCRETE_PAGINATION_LIMIT_EXCEEDED' },
    });
    const many = Array.from({ length: 51 }, () => 'Deal_Name').join(',');
    expect((await call(`/crm/v8/Deals?fields=${many}`)).status).toBe(400);
    const page = await call('/crm/v8/Deals?fields=Deal_Name,Stage&per_page=2');
    expect(page.body.info).toMatchObject({ count: 2, more_records: true, page: 1 });
    expect(Object.keys(page.body.data[0]).sort()).toEqual(['Deal_Name', 'Stage', 'id']);
  });

  it('answers COQL selects with where, order by and limit offset,count', async () => {
    fake = await startFakeZoho({ size: 10 });
    const deals = fake.org.module('Deals').records.all();
    const from = String(deals[4]?.Modified_Time);
    const res = await call('/crm/v8/coql', {
      method: 'POST',
      body: JSON.stringify({
        select_query: `select Deal_Name, Modified_Time from Deals where Modified_Time >= '${from}' and (Stage != 'Nope' or Amount > 0) order by Modified_Time, id limit 1, 3`,
      }),
    });
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: { id: string }) => r.id)).toEqual(
      deals.slice(5, 8).map((r) => r.id),
    );
    expect(res.body.info).toEqual({ count: 3, more_records: true });
    const bad = await call('/crm/v8/coql', {
      method: 'POST',
      body: JSON.stringify({ select_query: 'select from where' }),
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 'SYNTAX_ERROR' } });
    const none = await call('/crm/v8/coql', {
      method: 'POST',
      body: JSON.stringify({ select_query: "select id from Deals where Deal_Name = 'x'" }),
    });
    expect(none.status).toBe(204);
  });

  it('refuses a PUT of more than 100 records', async () => {
    fake = await startFakeZoho({ size: 1 });
    const data = Array.from({ length: 101 }, () => ({ id: '1' }));
    expect(
      await call('/crm/v8/Deals', { method: 'PUT', body: JSON.stringify({ data }) }),
    ).toMatchObject({ status: 400, body: { code: 'LIMIT_EXCEEDED' } });
  });

  it('refuses a request over the concurrency cap with 429 TOO_MANY_REQUESTS, and spends credits', async () => {
    fake = await startFakeZoho({ size: 1, concurrency: 1, latencyMs: 60, dailyCredits: 3 });
    const token = fake.issueToken();
    const both = await Promise.all([
      call('/crm/v8/Deals?fields=Deal_Name', { token }),
      call('/crm/v8/Deals?fields=Deal_Name', { token }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 429]);
    expect(both.find((r) => r.status === 429)?.body.code).toBe('TOO_MANY_REQUESTS');
    expect(fake.limits.creditsUsed()).toBe(1);
    await call('/crm/v8/Deals?fields=Deal_Name', { token });
    await call('/crm/v8/Deals?fields=Deal_Name', { token });
    expect(await call('/crm/v8/Deals?fields=Deal_Name', { token })).toMatchObject({
      status: 429,
      body: { code: 'LIMIT_EXCEEDED' },
    });
  });
});
