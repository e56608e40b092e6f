import { STATUS_CODES } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';
import type { Dispatcher } from 'undici';

/**
 * The connection pool every HttpClient sends through: undici's `request` (a fraction of
 * `fetch`'s per-request cost: measured 0.7 ms less CPU per page of 500 records, which a sync
 * pays on the thread that maps its records), following redirects as fetch does. undici's
 * redirect handler drops Authorization and cookies when a redirect leaves the origin.
 * Loaded with the first request, not with core: a command that sends none (`crmsync list`,
 * the API server) does not pay its ~110 modules (issue 28).
 */
let transport: Promise<{
  request: typeof import('undici').request;
  dispatcher: Dispatcher;
}> | null = null;
const undici = () =>
  (transport ??= import('undici').then(({ Agent, interceptors, request }) => ({
    request,
    dispatcher: new Agent().compose(interceptors.redirect({ maxRedirections: 5 })),
  })));

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);

const decoders: Record<string, (data: Buffer) => Promise<Buffer>> = {
  gzip: gunzipAsync,
  'x-gzip': gunzipAsync,
  br: promisify(brotliDecompress),
  // "deflate" is zlib-wrapped by the standard and raw in some servers: fetch accepts both.
  deflate: (data) => inflateAsync(data).catch(() => inflateRawAsync(data)),
};

export interface RawResponse {
  status: number;
  statusText: string;
  ok: boolean;
  headers: Headers;
  /** The body as text, decompressed (off this thread) if the server compressed it. */
  text(): Promise<string>;
}

export interface RawRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** One HTTP exchange; compressed answers are asked for and decoded as fetch would. */
export async function send(url: string, init: RawRequest): Promise<RawResponse> {
  const { request, dispatcher } = await undici();
  const res = await request(url, {
    dispatcher,
    method: init.method as 'GET',
    headers: { 'accept-encoding': 'gzip, deflate, br', ...init.headers },
    ...(init.body !== undefined && { body: init.body }),
    signal: init.signal,
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const encoding = (headers.get('content-encoding') ?? '').trim().toLowerCase();
  return {
    status: res.statusCode,
    statusText: STATUS_CODES[res.statusCode] ?? '',
    ok: res.statusCode >= 200 && res.statusCode < 300,
    headers,
    async text() {
      if (encoding === '' || encoding === 'identity') return res.body.text();
      const decode = decoders[encoding];
      if (!decode) {
        await res.body.dump();
        throw new Error(`the response is encoded as "${encoding}", which this client cannot read`);
      }
      return (await decode(Buffer.from(await res.body.arrayBuffer()))).toString('utf8');
    },
  };
}

/** A signal that aborts after `ms` or when `parent` does, and whether the time ran out. */
export interface Deadline {
  signal: AbortSignal;
  expired(): boolean;
  /** Stops the clock (a wait that must not count); `resume` starts it again. */
  pause(): void;
  resume(): void;
  /** Stops the timer and lets go of the parent; call it once the work is done. */
  dispose(): void;
}

/**
 * A timeout that holds on Node 20: a plain timer owns the controller. Inside
 * `AbortSignal.any`, an `AbortSignal.timeout` signal is only weakly held there and was
 * garbage-collected while a stalled CRM kept a page waiting (464 s instead of 30 s).
 */
export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  let remaining = ms;
  let since = Date.now();
  const fire = () => {
    expired = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
  };
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(fire, ms);
  const onParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    expired: () => expired,
    pause() {
      if (timer === undefined) return;
      clearTimeout(timer);
      timer = undefined;
      remaining -= Date.now() - since;
    },
    resume() {
      if (timer !== undefined || controller.signal.aborted) return;
      since = Date.now();
      timer = setTimeout(fire, Math.max(0, remaining));
    },
    dispose() {
      clearTimeout(timer);
      timer = undefined;
      parent?.removeEventListener('abort', onParent);
    },
  };
}
