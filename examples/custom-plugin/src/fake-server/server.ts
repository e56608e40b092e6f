import { FakeApi, type FakeRequest, ok, reply } from '@crmsync/core/fake-api';
import type { AcmeLead } from '../client.js';

type Fault = { kind: 'rate-limit'; retryAfterSeconds: number } | { kind: 'server-error' };

const acmeError = (status: number, code: string, message: string, headers = {}) =>
  reply(status, { error: { code, message } }, headers);
const cursor = (offset: number) => Buffer.from(String(offset)).toString('base64url');

/**
 * Acme's API as our tests see it: `GET /v1/leads` with Bearer auth, `updated_since` (≥) and
 * `updated_before` (<), leads sorted by (updated_at, id), an opaque `next_cursor` that is null
 * on the last page, 401/429/5xx with Acme's `{error:{code,message}}` body. Built on the core
 * fake-API kit, which does auth, faults and the request log. Knobs: record count, changes over
 * time, corrupt records, queued faults, the page sizes asked for.
 */
export class FakeAcmeServer {
  readonly token = 'acme-test-token-123';
  readonly leads = new Map<string, AcmeLead>();
  readonly api = new FakeApi({
    name: 'acme',
    auth: {
      kind: 'bearer',
      token: this.token,
      reject: () => acmeError(401, 'unauthorized', 'invalid token'),
    },
    notFound: (r) => acmeError(404, 'not_found', r.path),
  });
  baseUrl = '';

  static async start(size: number): Promise<FakeAcmeServer> {
    const fake = new FakeAcmeServer();
    const now = Date.now() - 3_600_000;
    for (let i = 1; i <= size; i++) {
      // Dates spread over the 90 days before an hour ago.
      const at = new Date(now - Math.floor(((size - i) * 90 * 86_400_000) / size)).toISOString();
      fake.leads.set(String(i), {
        id: String(i),
        email: `lead${i}@example.com`,
        name: `Lead ${i}`,
        phone: `+1512555${String(i % 10_000).padStart(4, '0')}`,
        status: 'new',
        created_at: at,
        updated_at: at,
      });
    }
    fake.api.get('/v1/leads', (r) => fake.#list(r));
    fake.baseUrl = await fake.api.listen();
    return fake;
  }

  /** `limit` of every list request, in order. */
  get pageSizes(): number[] {
    return this.api.requests
      .filter((r) => r.route === '/v1/leads' && r.status === 200)
      .map((r) => Number(r.query.get('limit') ?? 50));
  }

  injectFault(fault: Fault) {
    this.api.fault(
      fault.kind === 'rate-limit'
        ? {
            ...acmeError(429, 'rate_limited', 'slow down', {
              'retry-after': String(fault.retryAfterSeconds),
            }),
          }
        : { ...acmeError(503, 'unavailable', 'try again') },
    );
  }

  close(): Promise<void> {
    return this.api.close();
  }

  #list(r: FakeRequest) {
    const limit = Number(r.query.get('limit') ?? 50);
    const since = r.query.get('updated_since');
    const before = r.query.get('updated_before');
    const all = [...this.leads.values()]
      .filter((l) => (!since || l.updated_at >= since) && (!before || l.updated_at < before))
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || Number(a.id) - Number(b.id));
    const offset = Number(Buffer.from(r.query.get('cursor') ?? '', 'base64url').toString() || 0);
    const next = offset + limit < all.length ? cursor(offset + limit) : null;
    return ok({ data: all.slice(offset, offset + limit), next_cursor: next, total: all.length });
  }
}
