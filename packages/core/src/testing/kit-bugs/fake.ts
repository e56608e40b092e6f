import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A widget as the fake Widgets CRM returns it. */
export interface Widget {
  id: string;
  name: string;
  email: string;
  created_at: string;
  updated_at: string;
  archived: boolean;
  /** Fields the account defines itself. */
  custom: Record<string, string>;
}

type Fault = { kind: 'rate-limit'; retryAfterSeconds: number } | { kind: 'server-error' };

/** The most widgets the fake serves per page, whatever `limit` asks. */
export const WIDGETS_MAX_PAGE = 50;

/**
 * A tiny CRM for the plugin kit's own tests: `GET /widgets` with Bearer auth, `limit`
 * (capped at 50), an opaque `cursor`, `updated_since` (≥) and `updated_before` (<). Widgets
 * come sorted by (updated_at, id); archived ones are listed, flagged, only in a delta (a
 * request with `updated_since`), the way CRMs report deletions on their change feed.
 */
export class FakeWidgets {
  readonly token = 'widgets-kit-token-0001';
  readonly widgets = new Map<string, Widget>();
  /** The `limit` of every list request, in order. */
  readonly pageSizes: number[] = [];
  readonly #faults: Fault[] = [];
  #server!: Server;
  baseUrl = '';

  static async start(size: number): Promise<FakeWidgets> {
    const fake = new FakeWidgets();
    const newest = Date.now() - 3_600_000;
    for (let i = 1; i <= size; i++)
      fake.add(new Date(newest - Math.floor(((size - i) * 90 * 86_400_000) / size)));
    fake.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${fake.token}`)
        return send(401, { error: 'invalid token' });
      if (url.pathname !== '/widgets') return send(404, { error: url.pathname });
      const fault = fake.#faults.shift();
      if (fault?.kind === 'rate-limit')
        return send(
          429,
          { error: 'slow down' },
          { 'retry-after': String(fault.retryAfterSeconds) },
        );
      if (fault?.kind === 'server-error') return send(503, { error: 'try again' });
      const asked = Number(url.searchParams.get('limit') ?? 20);
      fake.pageSizes.push(asked);
      const limit = Math.min(asked, WIDGETS_MAX_PAGE);
      const since = url.searchParams.get('updated_since');
      const before = url.searchParams.get('updated_before');
      const all = [...fake.widgets.values()]
        .filter((w) => (since ? w.updated_at >= since : !w.archived))
        .filter((w) => !before || w.updated_at < before)
        .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || Number(a.id) - Number(b.id));
      const cursor = url.searchParams.get('cursor');
      const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
      const next = offset + limit < all.length ? String(offset + limit) : null;
      send(200, {
        data: all.slice(offset, offset + limit),
        next_cursor: next && Buffer.from(next).toString('base64url'),
      });
    });
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  add(at: Date): string {
    const id = String(this.widgets.size + 1);
    const iso = at.toISOString();
    this.widgets.set(id, {
      id,
      name: `Widget ${id}`,
      email: `widget${id}@example.com`,
      created_at: iso,
      updated_at: iso,
      archived: false,
      custom: {},
    });
    return id;
  }

  change(id: string, patch: Partial<Widget>): void {
    const widget = this.widgets.get(id);
    if (widget) this.widgets.set(id, { ...widget, ...patch });
  }

  injectFault(fault: Fault): void {
    this.#faults.push(fault);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
