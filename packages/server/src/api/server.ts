import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { createLogger, InputError, type LoggerOptions } from '@crmsync/core';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type Plugin } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { socketAuthorized, useApiToken } from '../auth/token.js';
import type { ApiRuntime } from '../runtime/api-runtime.js';
import { warmUp } from './warm-up.js';
import { createErrorMasking } from './errors.js';
import { CROSS_ORIGIN_REFUSAL, originAllowed, parseCorsOrigins } from './origins.js';
import type { ApiContext } from './request-context.js';
import {
  type LimitOptions,
  protections,
  useNoIntrospection,
  useSecretScrubbing,
} from './protections.js';
import {
  type ApiEventTarget,
  type ApiPubSub,
  createApiPubSub,
  publishRunEvent,
} from '../events/pubsub.js';
import { RunControl } from './run-control.js';
import { type EventBusProbe, HealthMonitor, type HealthMonitorOptions } from './health-monitor.js';
import { ApiMetrics } from './metrics.js';
import { createOpsRoutes } from './ops-routes.js';
import { PrismaScheduleService, type ScheduleService } from '../schedules/schedule-service.js';
import { graphql } from './graphql-instance.js';
import { apiSchema } from './schema/index.js';
import { scrubText } from '../auth/secrets.js';

const apiLog = createLogger('crmsync:api');

export const GRAPHQL_PATH = '/graphql';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4000;

export interface ApiServerOptions extends LimitOptions {
  runtime: ApiRuntime;
  /** Interface to bind; `CRMSYNC_HOST`, then 127.0.0.1. */
  host?: string;
  /** `CRMSYNC_PORT`, then 4000; 0 picks a free port. */
  port?: number;
  /** `CRMSYNC_API_TOKEN`: when set, every request and socket must present it. */
  apiToken?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Injected pub/sub (share one between servers, or build one on a cross-process target). */
  pubsub?: ApiPubSub;
  /** Builds the pub/sub on this event target (Redis, PostgreSQL LISTEN/NOTIFY) when no pubsub is given. */
  eventTarget?: ApiEventTarget;
  /** Replaces the direct sync_schedule writes (the scheduler passes its own). */
  schedules?: ScheduleService;
  /** Serves `POST /hooks/<crm>` (see `createWebhookHandler`); true when it handled the request. */
  webhooks?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Serves anything outside /graphql (the dashboard's static files); true when it handled the request. */
  extraHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Overrides the NODE_ENV / CRMSYNC_INTROSPECTION rule. */
  introspection?: boolean;
  /** Where the server's warnings and errors go (default stderr), secrets already removed. */
  logSink?: LoggerOptions['sink'];
  /** Background health checks: interval and per-check timeout (30 s and 3 s by default). */
  health?: Omit<HealthMonitorOptions, 'eventBus'>;
  /** Probes the cross-process event bus (Redis / PostgreSQL NOTIFY) as a health item. */
  eventBus?: EventBusProbe;
}

export interface ApiServer {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  host: string;
  port: number;
  server: Server;
  pubsub: ApiPubSub;
  /** The background health checks (`refresh()` runs a round now). */
  health: HealthMonitor;
  /** Settles when the start-up warm-up of the overview is over (it never rejects). */
  warmedUp: Promise<void>;
  close(): Promise<void>;
}

/** Host and port from options, then the environment, then 127.0.0.1:4000. Throws InputError. */
export function resolveListenAddress(options: {
  host?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
}) {
  const env = options.env ?? process.env;
  const host = options.host ?? (env.CRMSYNC_HOST || DEFAULT_HOST);
  const rawPort = options.port ?? (env.CRMSYNC_PORT ? Number(env.CRMSYNC_PORT) : DEFAULT_PORT);
  if (!Number.isInteger(rawPort) || rawPort < 0 || rawPort > 65_535) {
    throw new InputError(
      'port',
      'an integer from 0 to 65535 (CRMSYNC_PORT or --port)',
      options.port ?? env.CRMSYNC_PORT,
    );
  }
  return { host, port: rawPort };
}

/**
 * Serves the GraphQL API (queries, mutations over HTTP; subscriptions over graphql-ws on the
 * same port and path) for a crmsync runtime.
 *
 * @example
 * const app = await createCrmsync({ cwd });
 * const api = await startApiServer({ runtime: apiRuntimeFromApp(app), port: 0 });
 * console.log(api.url); // http://127.0.0.1:53412/graphql
 * await api.close();
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const env = options.env ?? process.env;
  const { host, port } = resolveListenAddress(options);
  const apiToken =
    options.apiToken !== undefined ? options.apiToken : env.CRMSYNC_API_TOKEN || null;
  const introspection =
    options.introspection ?? (env.NODE_ENV !== 'production' || env.CRMSYNC_INTROSPECTION === '1');
  const { runtime } = options;
  // Read before anything starts: a malformed allow-list is a startup error naming the entry.
  const corsOrigins = parseCorsOrigins(env.CRMSYNC_CORS_ORIGINS);
  const scrub = (text: string) => scrubText(text, runtime.secretValues());
  const log = (level: 'warn' | 'error', message: string) =>
    createLogger('crmsync:api', {
      level: 'warn',
      secrets: runtime.secretValues(),
      ...(options.logSink && { sink: options.logSink }),
    })[level](scrub(message));
  const yogaLog =
    (level: string) =>
    (...args: unknown[]) =>
      apiLog.debug(`${level} ${scrub(inspect(args, { depth: 4 }))}`);

  const pubsub = options.pubsub ?? createApiPubSub(options.eventTarget);
  const unsubscribe = runtime.subscribe((event) => publishRunEvent(pubsub, event));
  const runs = new RunControl(runtime);
  const health = new HealthMonitor(runtime, {
    ...options.health,
    ...(options.eventBus && { eventBus: options.eventBus }),
  }).start();
  const context: ApiContext = {
    runtime,
    prisma: runtime.prisma,
    pubsub,
    runs,
    schedules: options.schedules ?? new PrismaScheduleService(runtime.prisma),
    health,
  };
  const metrics = new ApiMetrics(runtime, health);
  const opsRoutes = createOpsRoutes({ context, metrics, apiToken });

  const plugins: Plugin[] = [
    ...(apiToken ? [useApiToken(apiToken)] : []),
    ...protections(options),
    ...(introspection ? [] : [useNoIntrospection()]),
    useSecretScrubbing(() => runtime.secretValues()),
  ];
  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, ApiContext>({
    schema: apiSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    context: () => context,
    plugins,
    maskedErrors: { maskError: createErrorMasking(scrub) },
    graphiql: introspection ? { subscriptionsProtocol: 'WS' } : false,
    landingPage: false,
    // Same-origin pages need no CORS headers; other origins get them only when allowed.
    cors: (request) => {
      const origin = request.headers.get('origin');
      return origin && corsOrigins.has(origin) ? { origin: [origin], credentials: true } : false;
    },
    logging: {
      debug: yogaLog('debug'),
      info: yogaLog('info'),
      warn: yogaLog('warn'),
      error: yogaLog('error'),
    },
  });

  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    const status = isBadRequest(error) ? 400 : 500;
    const what = error instanceof Error ? error.message : String(error);
    log(status === 400 ? 'warn' : 'error', `${req.method} ${req.url} → ${status}: ${what}`);
    if (res.headersSent) return void res.destroy();
    res
      .writeHead(status, { 'content-type': 'text/plain' })
      .end(status === 400 ? 'Bad request\n' : 'Internal error\n');
  };
  const server = createServer((req, res) => {
    // Nothing a request carries may throw out of here: an uncaught error would end the process.
    try {
      // A target or Host that makes no URL is the client's error (yoga would answer 500).
      new URL(req.url ?? '/', `http://${req.headers.host || 'localhost'}`);
      if (!originAllowed(req.headers, corsOrigins)) {
        return void res
          .writeHead(403, { 'content-type': 'text/plain' })
          .end(`${CROSS_ORIGIN_REFUSAL}\n`);
      }
      const path = (req.url ?? '/').split('?')[0];
      if (path === GRAPHQL_PATH || path?.startsWith(`${GRAPHQL_PATH}/`)) {
        return void Promise.resolve(yoga(req, res)).catch((error) => fail(req, res, error));
      }
      if (path?.startsWith('/hooks/') && options.webhooks?.(req, res)) return;
      if (opsRoutes(req, res, path ?? '/')) return;
      if (options.extraHandler?.(req, res)) return;
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('Not found: the GraphQL API is at /graphql\n');
    } catch (error) {
      fail(req, res, error);
    }
  });

  const wss = new WebSocketServer({
    server,
    path: GRAPHQL_PATH,
    // A page of another origin must not ride the user's cookie into a socket (403 at upgrade).
    verifyClient: (info, done) =>
      originAllowed(info.req.headers, corsOrigins)
        ? done(true)
        : done(false, 403, 'Forbidden: cross-origin'),
  });
  const ws = useServer<Record<string, unknown>, { request: IncomingMessage }>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onConnect: (ctx) => {
        if (
          !apiToken ||
          socketAuthorized(apiToken, ctx.connectionParams, ctx.extra.request.headers)
        ) {
          return true;
        }
        ctx.extra.socket.close(4401, 'Unauthorized');
        return false;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const enveloped = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
        });
        let document: ReturnType<typeof enveloped.parse>;
        try {
          document = enveloped.parse(payload.query);
        } catch (error) {
          // A syntax error is the client's: an error message, not a socket closed with 4500.
          if (error instanceof graphql.GraphQLError) return [error];
          throw error;
        }
        const args = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        return args;
      },
    },
    wss,
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  apiLog.debug(`listening on ${address.address}:${address.port}`);
  // In the background: the first page load must not pay for cold caches (see warm-up.ts).
  const warming = warmUp({
    prisma: runtime.prisma,
    provider: runtime.provider,
    execute: async (query) =>
      (
        await yoga.fetch(`http://localhost${GRAPHQL_PATH}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(apiToken && { authorization: `Bearer ${apiToken}` }),
          },
          body: JSON.stringify({ query }),
        })
      ).text(),
    log: (message) => apiLog.debug(message),
  });

  let closed = false;
  return {
    url: `http://${shownHost}:${address.port}${GRAPHQL_PATH}`,
    wsUrl: `ws://${shownHost}:${address.port}${GRAPHQL_PATH}`,
    host: address.address,
    port: address.port,
    server,
    pubsub,
    health,
    warmedUp: warming,
    async close() {
      if (closed) return;
      closed = true;
      // A warm-up still running (a slow database) is not waited for long.
      await Promise.race([warming, new Promise((r) => setTimeout(r, 3_000).unref())]);
      unsubscribe();
      health.stop();
      metrics.close();
      await runs.abortAll('The API server is shutting down');
      runs.close();
      await ws.dispose();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A malformed request (bad %-encoding, a target that is no URL, bad input): 400, not 500. */
function isBadRequest(error: unknown): boolean {
  return (
    error instanceof URIError ||
    error instanceof InputError ||
    (error instanceof TypeError && (error as { code?: unknown }).code === 'ERR_INVALID_URL')
  );
}

interface EnvelopedRoot {
  execute: (args: unknown) => ReturnType<typeof import('graphql').execute>;
  subscribe: (args: unknown) => ReturnType<typeof import('graphql').subscribe>;
}
