import { afterEach, describe, expect, it } from 'vitest';
import { DRIVE_METADATA_SCOPE, SHEETS_READONLY_SCOPE, signServiceAccountJwt } from '../jwt.js';
import { SheetsFakeServer } from './server.js';

let fake: SheetsFakeServer;
afterEach(async () => fake?.close());

async function start(options: Parameters<typeof SheetsFakeServer.start>[0] = {}) {
  fake = await SheetsFakeServer.start({
    spreadsheets: {
      s1: {
        name: 'Leads',
        modifiedTime: new Date('2026-01-01T00:00:00Z'),
        tabs: {
          'Marketing Leads': [
            ['id', 'name', 'cost', 'note'],
            ['1', 'Ann', { value: 12.5, formatted: '$12.50' }, ''],
            ['2', 'Bob', { value: 7, formatted: '$7.00', formula: '=3+4' }, 'vip'],
            [],
            [],
          ],
        },
      },
    },
    ...options,
  });
  return fake;
}

async function token(
  scopes = [SHEETS_READONLY_SCOPE, DRIVE_METADATA_SCOPE],
  audience = fake.tokenUrl,
) {
  const assertion = signServiceAccountJwt(fake.serviceAccount, { scopes, audience });
  const res = await fetch(fake.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(path: string, accessToken: string) {
  const res = await fetch(`${fake.url}${path}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Google Sheets fake server', () => {
  it('trades a signed service-account JWT for a bearer token, and refuses a bad audience', async () => {
    await start();
    const ok = await token();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    const bad = await token(undefined, 'https://elsewhere.example/token');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_grant');
  });

  it('drops trailing empty cells and rows, and renders values as asked', async () => {
    await start();
    const t = String((await token()).body.access_token);
    const range = encodeURIComponent("'Marketing Leads'!A:Z");
    const formatted = await get(`/v4/spreadsheets/s1/values/${range}`, t);
    expect(formatted.body).toEqual({
      range: "'Marketing Leads'!A1:Z1000",
      majorDimension: 'ROWS',
      values: [
        ['id', 'name', 'cost', 'note'],
        ['1', 'Ann', '$12.50'],
        ['2', 'Bob', '$7.00', 'vip'],
      ],
    });
    const raw = await get(
      `/v4/spreadsheets/s1/values/${range}?valueRenderOption=UNFORMATTED_VALUE`,
      t,
    );
    expect((raw.body.values as unknown[][])[1]).toEqual(['1', 'Ann', 12.5]);
    const formula = await get(`/v4/spreadsheets/s1/values/${range}?valueRenderOption=FORMULA`, t);
    expect((formula.body.values as unknown[][])[2]).toEqual(['2', 'Bob', '=3+4', 'vip']);
  });

  it('answers batchGet, Drive modifiedTime and Google-shaped errors', async () => {
    await start();
    const t = String((await token()).body.access_token);
    const batch = await get(
      `/v4/spreadsheets/s1/values:batchGet?ranges=${encodeURIComponent("'Marketing Leads'!A1:B1")}&ranges=A2:A2`,
      t,
    );
    expect(batch.body).toMatchObject({
      spreadsheetId: 's1',
      valueRanges: [{ values: [['id', 'name']] }, { values: [['1']] }],
    });
    const file = await get('/drive/v3/files/s1?fields=id,modifiedTime', t);
    expect(file.body).toEqual({ id: 's1', modifiedTime: '2026-01-01T00:00:00.000Z' });
    const bad = await get(`/v4/spreadsheets/s1/values/${encodeURIComponent('Nope!A1')}`, t);
    expect(bad).toEqual({
      status: 400,
      body: {
        error: { code: 400, message: 'Unable to parse range: Nope!A1', status: 'INVALID_ARGUMENT' },
      },
    });
    expect((await get('/v4/spreadsheets/zz/values/A1', t)).body).toMatchObject({
      error: { code: 404, status: 'NOT_FOUND' },
    });
    expect((await get('/v4/spreadsheets/s1/values/A1', 'nope')).body).toMatchObject({
      error: { code: 401, status: 'UNAUTHENTICATED' },
    });
  });

  it('refuses Drive metadata without the Drive scope', async () => {
    await start();
    const t = String((await token([SHEETS_READONLY_SCOPE])).body.access_token);
    expect((await get('/drive/v3/files/s1?fields=modifiedTime', t)).status).toBe(403);
  });

  it('answers 429 RESOURCE_EXHAUSTED past the per-user read quota', async () => {
    await start({ perMinuteLimit: 2 });
    const t = String((await token()).body.access_token);
    await get('/v4/spreadsheets/s1/values/A1', t);
    await get('/v4/spreadsheets/s1/values/A1', t);
    const limited = await get('/v4/spreadsheets/s1/values/A1', t);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
  });

  it('refreshes an OAuth user token', async () => {
    await start();
    const c = fake.oauthClient;
    const res = await fetch(fake.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: c.clientId,
        client_secret: c.clientSecret,
        refresh_token: c.refreshToken,
      }),
    });
    expect(res.status).toBe(200);
  });
});
