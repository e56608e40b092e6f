import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AcmeLead } from '../client.js';

type Fault = { kind: 'rate-limit'; retryAfterSeconds: number } | { kind: 'server-error' };

/**
 * Acme's API as our tests see it: `GET /v1/leads` with Bearer auth, `updated_since` (≥) and
 * `updated_before` (<), leads sorted by (updated_at, id), an opaque `next_cursor` that is null
 * on the last page, 401/429/5xx with Acme's `{error:{code,message}}` body. Knobs: record count,
 * changes over time, corrupt records, queued faults, the page sizes asked for.
 */
export class FakeAcmeServer {
  readonly token = 'acme-test-token-123';
  readonly leads = new Map<string, AcmeLead>();
  readonly pageSizes: number[] = [];
  readonly #faults: Fault[] = [];
  #server!: Server;
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
    fake.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${fake.token}`)
        return send(401, { error: { code: 'unauthorized', message: 'invalid token' } });
      if (url.pathname !== '/v1/leads')
        return send(404, { error: { code: 'not_found', message: url.pathname } });
      const fault = fake.#faults.shift();
      if (fault?.kind === 'rate-limit')
        return send(
          429,
          { error: { code: 'rate_limited', message: 'slow down' } },
          { 'retry-after': String(fault.retryAfterSeconds) },
        );
      if (fault?.kind === 'server-error')
        return send(503, { error: { code: 'unavailable', message: 'try again' } });
      const limit = Number(url.searchParams.get('limit') ?? 50);
      fake.pageSizes.push(limit);
      const since = url.searchParams.get('updated_since');
      const before = url.searchParams.get('updated_before');
      const all = [...fake.leads.values()]
        .filter((l) => (!since || l.updated_at >= since) && (!before || l.updated_at < before))
        .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || Number(a.id) - Number(b.id));
      const offset = Number(
        Buffer.from(url.searchParams.get('cursor') ?? '', 'base64url').toString() || 0,
      );
      const data = all.slice(offset, offset + limit);
      const next =
        offset + limit < all.length
          ? Buffer.from(String(offset + limit)).toString('base64url')
          : null;
      send(200, { data, next_cursor: next, total: all.length });
    });
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  injectFault(fault: Fault) {
    this.#faults.push(fault);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
