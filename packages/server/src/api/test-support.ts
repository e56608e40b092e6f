import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CrmPlugin } from '@crmsync/core';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type Crmsync, createCrmsync } from '../app.js';
import type { PrismaStore } from '../store/index.js';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  postgresUnavailable,
  type TestDatabase,
} from '../store/test-databases.js';
import { apiRuntimeFromApp } from './app-runtime.js';
import type { ApiRuntime } from './context.js';
import { type ApiServer, type ApiServerOptions, startApiServer } from './server.js';

export type Provider = 'sqlite' | 'postgresql';

/**
 * The in-memory event target yoga's pub/sub uses by default, counting its listeners: a test
 * knows a subscription is live on the server (not just sent) before it triggers events.
 */
export class ListenerCountingTarget extends EventTarget {
  #count = 0;
  #waiters = new Set<() => void>();

  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    super.addEventListener(type, listener, options);
    this.#count++;
    for (const wake of this.#waiters) wake();
  }

  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    super.removeEventListener(type, listener, options);
    this.#count--;
  }

  /** Resolves once at least `count` subscriptions listen. */
  listening(count: number, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`only ${this.#count} of ${count} subscriptions became live`));
      }, timeoutMs);
      const check = () => {
        if (this.#count < count) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      check();
    });
  }
}

/**
 * Which databases the API tests run on: SQLite always; PostgreSQL when reachable, and when
 * CI=true an unreachable PostgreSQL fails the run instead of skipping it.
 */
export async function testProviders(): Promise<Provider[]> {
  const why = await postgresUnavailable();
  if (!why) return ['sqlite', 'postgresql'];
  if (process.env.CI === 'true') throw new Error(`CI=true and ${why}`);
  console.warn(`Skipping the API tests on PostgreSQL: ${why}`);
  return ['sqlite'];
}

interface CallRailFake {
  baseUrl: string;
  accountId: string;
  close(): Promise<void>;
}

/**
 * CallRail's plugin and fake API from its sources: a configured plugin with a secret (its API
 * key) and a health check that really answers. The server package does not depend on the plugin,
 * so the tests load it by path.
 */
async function loadCallRail() {
  const src = (path: string) =>
    fileURLToPath(new URL(`../../../plugin-callrail/src/${path}`, import.meta.url));
  const { callrailPlugin } = (await import(src('index.ts'))) as { callrailPlugin: CrmPlugin };
  const { CallRailFakeServer } = (await import(src('fake-server/index.ts'))) as {
    CallRailFakeServer: {
      start(options: { apiKey: string; size: number; latencyMs: number }): Promise<CallRailFake>;
    };
  };
  return { callrailPlugin, CallRailFakeServer };
}

export const CALLRAIL_SECRET = 'callrail-secret-4f7c2a9e1b';

export interface TestApi {
  api: ApiServer;
  /** The crmsync app the server runs on, as `crmsync server` builds it. */
  app: Crmsync;
  store: PrismaStore;
  /** The runtime the server serves (for handlers mounted beside it, e.g. the dashboard's). */
  runtime: ApiRuntime;
  callrail: CallRailFake;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: GqlBody<T>; text: string }>;
  ws(connectionParams?: Record<string, unknown>): Client;
  /** Resolves once `count` subscriptions are live on the server (default event target only). */
  listening(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface GqlBody<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface TestApiOptions extends Partial<Omit<ApiServerOptions, 'runtime'>> {
  provider: Provider;
  /** Calls in CallRail's fake account (default 20) and its delay per response. */
  callrailSize?: number;
  callrailLatencyMs?: number;
}

/**
 * A throwaway database, CallRail's fake API and the API server on 127.0.0.1:0, wired the way
 * `crmsync server` wires it: `createCrmsync` with CallRail configured from env vars, served
 * through `apiRuntimeFromApp`. Runs report progress every 50 ms.
 */
export async function startTestApi(options: TestApiOptions): Promise<TestApi> {
  const db: TestDatabase =
    options.provider === 'postgresql'
      ? await createPostgresTestDatabase()
      : createSqliteTestDatabase();
  try {
    return await startOn(db, options);
  } catch (error) {
    // A failed start must not leave its database behind.
    await db.drop();
    throw error;
  }
}

async function startOn(db: TestDatabase, options: TestApiOptions): Promise<TestApi> {
  const { callrailPlugin, CallRailFakeServer } = await loadCallRail();
  const callrail = await CallRailFakeServer.start({
    apiKey: CALLRAIL_SECRET,
    size: options.callrailSize ?? 20,
    latencyMs: options.callrailLatencyMs ?? 0,
  });
  // No config file is read: the project directory is an empty one of its own.
  const cwd = mkdtempSync(join(tmpdir(), 'crmsync-api-'));
  const app = await createCrmsync({
    cwd,
    database: db.url,
    plugins: [callrailPlugin],
    env: {
      CALLRAIL_API_KEY: CALLRAIL_SECRET,
      CALLRAIL_ACCOUNT_ID: callrail.accountId,
      CALLRAIL_BASE_URL: callrail.baseUrl,
      CALLRAIL_HOURLY_LIMIT: '1000',
      CALLRAIL_DAILY_LIMIT: '10000',
    },
    progressIntervalMs: 50,
  });
  const store = app.store;
  const runtime = apiRuntimeFromApp(app);
  const { provider: _p, callrailSize: _s, callrailLatencyMs: _l, ...serverOptions } = options;
  const events = new ListenerCountingTarget();
  const api = await startApiServer({
    runtime,
    host: '127.0.0.1',
    port: 0,
    env: {},
    ...(!serverOptions.pubsub && !serverOptions.eventTarget && { eventTarget: events }),
    ...serverOptions,
  });
  const sockets: Client[] = [];
  return {
    api,
    app,
    store,
    runtime,
    callrail,
    async gql(query, variables = {}, headers = {}) {
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      return { status: res.status, text, body: JSON.parse(text) };
    },
    listening: (count) => events.listening(count),
    ws(connectionParams) {
      const client = createClient({
        url: api.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        ...(connectionParams && { connectionParams }),
      });
      sockets.push(client);
      return client;
    },
    async close() {
      for (const s of sockets) await s.dispose();
      await api.close();
      await callrail.close();
      await app.close();
      rmSync(cwd, { recursive: true, force: true });
      await db.drop();
    },
  };
}

/** Collects a subscription's results until `until` says stop (or `timeoutMs`). */
export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  until: (items: T[]) => boolean,
  timeoutMs = 20_000,
): { done: Promise<T[]> } {
  const items: T[] = [];
  const done = new Promise<T[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`subscription timed out after ${timeoutMs} ms with ${items.length} items`));
    }, timeoutMs);
    const stop = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) {
            clearTimeout(timer);
            reject(new Error(JSON.stringify(result.errors)));
            return;
          }
          items.push(result.data as T);
          if (until(items)) {
            clearTimeout(timer);
            stop();
            resolve(items);
          }
        },
        error: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {
          clearTimeout(timer);
          resolve(items);
        },
      },
    );
  });
  return { done };
}
