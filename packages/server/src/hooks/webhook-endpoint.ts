import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CrmPlugin,
  CrmsyncError,
  type Logger,
  silentLogger,
  type WebhookCapability,
  type WebhookRequest,
} from '@crmsync/core';
import type { WebhookEventStore } from './webhook-store.js';

export const HOOKS_PATH = '/hooks/';
const DEFAULT_MAX_BODY = 1024 * 1024;

/** A CRM whose webhook endpoint is on: its capability and the secret it signs with. */
export interface EnabledWebhook {
  crm: string;
  webhooks: WebhookCapability;
  secret: string;
}

/**
 * The CRMs of these plugins whose `<CRM>_WEBHOOK_SECRET` (the capability's `secretEnv`) is
 * set in `env`: only those get an endpoint.
 */
export function enabledWebhooks(
  plugins: readonly CrmPlugin[],
  env: NodeJS.ProcessEnv,
): EnabledWebhook[] {
  const out: EnabledWebhook[] = [];
  for (const plugin of plugins) {
    const webhooks = plugin.webhooks;
    const secret = webhooks && env[webhooks.secretEnv];
    if (webhooks && secret) out.push({ crm: plugin.name, webhooks, secret });
  }
  return out;
}

/** One CRM's refused deliveries (401) since this process started. */
export interface VerificationFailureCount {
  count: number;
  lastAt: Date | null;
  /** The scheme's reason (`bad-signature`, `stale-timestamp`, …), never the body. */
  lastReason: string | null;
}

/**
 * Deliveries that failed verification, per CRM, counted by the endpoint of this process: they
 * are refused before anything is stored, so the count lives in memory (since start).
 */
export class VerificationFailures {
  readonly #byCrm = new Map<string, VerificationFailureCount>();

  record(crm: string, reason: string, at = new Date()): void {
    const entry = this.#byCrm.get(crm) ?? { count: 0, lastAt: null, lastReason: null };
    this.#byCrm.set(crm, { count: entry.count + 1, lastAt: at, lastReason: reason });
  }

  of(crm: string): VerificationFailureCount {
    return this.#byCrm.get(crm) ?? { count: 0, lastAt: null, lastReason: null };
  }
}

export interface WebhookEndpointOptions {
  enabled: readonly EnabledWebhook[];
  store: WebhookEventStore;
  /**
   * The public origin the vendor calls (`https://sync.example.com`), which signatures cover;
   * default: the request's Host over http.
   */
  publicUrl?: string;
  logger?: Logger;
  /** Counts the deliveries refused by verification. */
  verificationFailures?: VerificationFailures;
  /** Called after events were stored (wakes a worker in this process). */
  onStored?: (crm: string, stored: number) => void;
  /** For tests: the verification clock. */
  now?: () => Date;
}

/**
 * `POST /hooks/<crm>` and `/hooks/<crm>/<entity>`: reads the body up to the CRM's cap (413
 * above), verifies it by the vendor's scheme (401, logged without the body), parses it into
 * events and stores them — duplicates dropped — before answering 200. Returns false for a
 * path outside `/hooks/`.
 */
export function createWebhookHandler(options: WebhookEndpointOptions) {
  const log = options.logger ?? silentLogger();
  const byCrm = new Map(options.enabled.map((e) => [e.crm, e]));
  const send = (res: ServerResponse, status: number, body: Record<string, unknown>) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const target = req.url ?? '/';
    const path = target.split('?')[0] ?? '/';
    if (!path.startsWith(HOOKS_PATH)) return false;
    const [crm, entity, ...rest] = path.slice(HOOKS_PATH.length).split('/');
    const hook = crm ? byCrm.get(crm) : undefined;
    if (!hook || rest.length > 0) {
      send(res, 404, { error: `no webhook endpoint at ${path}` });
      return true;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      send(res, 405, { error: 'webhooks are POSTed' });
      return true;
    }
    const cap = hook.webhooks.maxBodyBytes ?? DEFAULT_MAX_BODY;
    void readBody(req, cap)
      .then(async (body) => {
        if (body === 'too-large') {
          log.warn(`webhook ${hook.crm}: body over ${cap} bytes refused (413)`);
          req.resume();
          res.setHeader('connection', 'close');
          return send(res, 413, { error: `body over ${cap} bytes` });
        }
        const origin =
          options.publicUrl?.replace(/\/+$/, '') ?? `http://${req.headers.host ?? 'localhost'}`;
        const request: WebhookRequest = {
          method: req.method ?? 'POST',
          url: `${origin}${target}`,
          headers: Object.fromEntries(
            Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
          ),
          body,
          ...(entity && { entity }),
        };
        const verdict = hook.webhooks.verify(request, hook.secret, options.now?.());
        if (!verdict.ok) {
          log.warn(
            `webhook ${hook.crm}: refused (${verdict.reason}) from ${req.socket.remoteAddress ?? '?'}, ${body.length} bytes`,
          );
          options.verificationFailures?.record(hook.crm, verdict.reason);
          return send(res, 401, { error: 'webhook verification failed' });
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          return send(res, 400, { error: 'body: expected JSON' });
        }
        let events: ReturnType<WebhookCapability['parse']>;
        try {
          events = hook.webhooks.parse(parsed, request);
        } catch (error) {
          const message = error instanceof CrmsyncError ? error.message : 'unreadable payload';
          log.warn(`webhook ${hook.crm}: ${message}`);
          return send(res, 400, { error: message });
        }
        const { stored, duplicates } = await options.store.record(hook.crm, events);
        if (stored > 0) options.onStored?.(hook.crm, stored);
        send(res, 200, { received: events.length, stored, duplicates });
      })
      .catch((error: unknown) => {
        log.error(`webhook ${hook.crm}: events not stored: ${(error as Error).message}`);
        if (!res.headersSent) send(res, 503, { error: 'events not stored; retry' });
      });
    return true;
  };
}

/** The body, or `too-large` past `cap` bytes (by Content-Length, or as it streams). */
function readBody(req: IncomingMessage, cap: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > cap) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > cap) {
        done = true;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
