import { afterEach, describe, expect, it } from 'vitest';
import { CrmsyncError } from '../contracts/errors.js';
import { FakeApi } from '../testing/fake-api/server.js';
import { ok } from '../testing/fake-api/types.js';
import { HttpClient } from './http-client.js';

// Salesforce says "rate limited" with a 403 REQUEST_LIMIT_EXCEEDED: `isRateLimited` makes such
// an answer a rate_limit error (waited out, retried), while another 403 stays an auth failure.
describe('HttpClient isRateLimited', () => {
  const open: FakeApi[] = [];
  afterEach(async () => {
    for (const api of open.splice(0)) await api.close();
  });

  async function start() {
    const api = new FakeApi({ name: 'sf' });
    open.push(api);
    api.get('/data', () => ok({ fine: true }));
    const url = await api.listen();
    const http = new HttpClient({
      crm: 'sf',
      baseUrl: url,
      backoffMs: 1,
      isRateLimited: ({ status, body }) =>
        status === 403 &&
        (body as Array<{ errorCode?: string }>)[0]?.errorCode === 'REQUEST_LIMIT_EXCEEDED',
      onRateLimit: () => 5,
    });
    return { api, http };
  }

  it('retries a 403 the vendor means as a rate limit, after onRateLimit’s wait', async () => {
    const { api, http } = await start();
    api.fault({
      status: 403,
      body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'Concurrent' }],
    });
    expect((await http.get('/data')).body).toEqual({ fine: true });
    expect(api.requests.map((r) => r.status)).toEqual([403, 200]);
  });

  it('keeps any other 403 an auth failure, not retried', async () => {
    const { api, http } = await start();
    api.fault({ status: 403, body: [{ errorCode: 'INSUFFICIENT_ACCESS', message: 'no' }] });
    const error = await http.get('/data').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmsyncError);
    expect((error as CrmsyncError).kind).toBe('auth');
    expect(api.requests).toHaveLength(1);
  });

  it('names the real status in a rate-limit error that is not retried any more', async () => {
    const api = new FakeApi({ name: 'sf' });
    open.push(api);
    api.get('/data', () => ok({}));
    const http = new HttpClient({
      crm: 'sf',
      baseUrl: await api.listen(),
      isRateLimited: ({ status }) => status === 403,
      onRateLimit: () => 3_600_000, // past maxRetryAfterMs: fails at once
    });
    api.fault({
      status: 403,
      body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests' }],
    });
    const error = (await http.get('/data').catch((e: unknown) => e)) as CrmsyncError;
    expect(error.kind).toBe('rate_limit');
    expect(error.message).toContain('rate limited (HTTP 403)');
    expect(error.context.retryAfterMs).toBe(3_600_000);
  });
});
