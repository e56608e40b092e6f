import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does to one request instead of passing it through:
 * - `status`: a JSON error with that status (500 by default);
 * - `html`: a 502 with an HTML body, as a load balancer answers;
 * - `malformed-json`: 200 with a JSON content type and a body that does not parse;
 * - `truncated`: the upstream answer's headers and half its body, then the connection closes;
 * - `reset`: the connection is reset before any answer;
 * - `stall-headers`: nothing is ever answered;
 * - `stall-body`: the upstream headers and half the body, then nothing more;
 * - `rate-limit`: 429 with `Retry-After` (seconds, fractions allowed) when given.
 */
export type ProxyFault =
  | { kind: 'status'; status?: number }
  | { kind: 'html' }
  | { kind: 'malformed-json' }
  | { kind: 'truncated' }
  | { kind: 'reset' }
  | { kind: 'stall-headers' }
  | { kind: 'stall-body' }
  | { kind: 'rate-limit'; retryAfterSeconds?: number };

export interface ProxyFaultRule {
  fault: ProxyFault;
  /** How many matching requests get it (default 1). */
  times?: number;
  /** Only requests whose path (with query) matches; default every request. */
  match?: RegExp;
}

export interface FaultProxy {
  /** Where to point the client instead of the target (`http://127.0.0.1:<port>`). */
  url: string;
  /** Queues faults: each request takes the first rule it matches, until the rule is used up. */
  inject(...rules: ProxyFaultRule[]): void;
  /** Faults served so far, by kind. */
  readonly injected: Record<ProxyFault['kind'], number>;
  /** Requests received, faulted or not. */
  readonly requests: number;
  /** Rules not used up yet. */
  pending(): number;
  close(): Promise<void>;
}

const KINDS: ProxyFault['kind'][] = [
  'status',
  'html',
  'malformed-json',
  'truncated',
  'reset',
  'stall-headers',
  'stall-body',
  'rate-limit',
];

interface Upstream {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** Sends the request on to the target and reads its whole answer. */
function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const out = request(
      new URL(req.url ?? '/', target),
      {
        method: req.method ?? 'GET',
        headers: { ...req.headers, host: target.host, 'accept-encoding': 'identity' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers: OutgoingHttpHeaders = { ...res.headers };
          delete headers['transfer-encoding'];
          const full = Buffer.concat(chunks);
          headers['content-length'] = String(full.length);
          resolve({ status: res.statusCode ?? 502, headers, body: full });
        });
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

/**
 * A scripted HTTP proxy on 127.0.0.1 in front of a fake CRM, for fault tests: requests pass
 * through untouched unless a queued rule says how this one should fail.
 *
 * @example
 * const proxy = await startFaultProxy(fakeCrm.url);
 * proxy.inject({ fault: { kind: 'stall-body' }, match: /\/v1\/contacts/ });
 * // point the plugin's base URL at proxy.url and sync
 */
export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const rules: Array<ProxyFaultRule & { left: number }> = [];
  const injected = Object.fromEntries(KINDS.map((k) => [k, 0])) as FaultProxy['injected'];
  const sockets = new Set<Socket>();
  let requests = 0;

  const take = (path: string): ProxyFault | undefined => {
    const index = rules.findIndex((r) => r.left > 0 && (!r.match || r.match.test(path)));
    const rule = rules[index];
    if (!rule) return undefined;
    rule.left--;
    if (rule.left === 0) rules.splice(index, 1);
    injected[rule.fault.kind]++;
    return rule.fault;
  };

  const answer = async (
    fault: ProxyFault | undefined,
    req: IncomingMessage,
    res: ServerResponse,
  ) => {
    const body = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
    const json = (status: number, value: unknown, headers: OutgoingHttpHeaders = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    switch (fault?.kind) {
      case 'status':
        return json(fault.status ?? 500, { error: { message: 'injected server error' } });
      case 'html':
        res.writeHead(502, { 'content-type': 'text/html' });
        return res.end('<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>');
      case 'malformed-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"results": [{"id": "1", "na');
      case 'rate-limit':
        return json(
          429,
          { error: { message: 'injected rate limit' } },
          fault.retryAfterSeconds === undefined
            ? {}
            : { 'retry-after': String(fault.retryAfterSeconds) },
        );
      case 'reset':
        return req.socket.resetAndDestroy();
      case 'stall-headers':
        return;
      case 'truncated':
      case 'stall-body': {
        const up = await forward(target, req, body);
        res.writeHead(up.status, up.headers);
        res.write(up.body.subarray(0, Math.floor(up.body.length / 2)));
        if (fault.kind === 'truncated') setTimeout(() => res.destroy(), 10);
        return;
      }
      default: {
        const up = await forward(target, req, body);
        res.writeHead(up.status, up.headers);
        return res.end(up.body);
      }
    }
  };

  const server = createServer((req, res) => {
    requests++;
    answer(take(req.url ?? '/'), req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inject(...added) {
      for (const rule of added) rules.push({ ...rule, left: rule.times ?? 1 });
    },
    injected,
    get requests() {
      return requests;
    },
    pending: () => rules.reduce((n, r) => n + r.left, 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
