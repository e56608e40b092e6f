import type { RunEvent, SyncHook } from '@crmsync/core';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import createDebug from 'debug';
import { Redis } from 'ioredis';
import { createPostgresEventTarget } from '../api/postgres-event-target.js';
import {
  type ApiEventTarget,
  type ApiPubSub,
  createApiPubSub,
  publishRunEvent,
} from '../api/pubsub.js';
import { redact } from '../store/index.js';

const log = createDebug('crmsync:scheduler:events');

/** Where live run events cross processes, parsed once from a URL. */
export type EventsTarget =
  | { kind: 'redis'; url: string }
  | { kind: 'postgresql'; connectionString: string };

/**
 * `CRMSYNC_EVENTS_URL` (redis://… or postgres://…) when set; otherwise the crmsync database
 * when it is PostgreSQL (LISTEN/NOTIFY needs no other server); otherwise null — events stay
 * in the process, which is right for `crmsync start` on SQLite.
 */
export function resolveEventsTarget(
  env: Record<string, string | undefined>,
  databaseUrl: string,
): EventsTarget | null {
  const url = env.CRMSYNC_EVENTS_URL?.trim() || databaseUrl;
  if (/^rediss?:\/\//i.test(url)) return { kind: 'redis', url };
  if (/^postgres(ql)?:\/\//i.test(url)) {
    // The store's `?schema=` means nothing to node-postgres (and NOTIFY is database-wide).
    const pgUrl = new URL(url);
    pgUrl.searchParams.delete('schema');
    return { kind: 'postgresql', connectionString: pgUrl.toString() };
  }
  if (env.CRMSYNC_EVENTS_URL?.trim()) {
    throw new Error(
      `CRMSYNC_EVENTS_URL must start with redis://, rediss://, postgres:// or postgresql://; got ${redact(url)}`,
    );
  }
  return null;
}

export interface RunEventBridge {
  readonly kind: EventsTarget['kind'];
  /** Hand to `createApiPubSub` / `startApiServer({ eventTarget })` in the API process. */
  readonly eventTarget: ApiEventTarget;
  /** A pub/sub over the bridge: what a worker publishes on and an API subscribes to. */
  readonly pubsub: ApiPubSub;
  /** Publishes one engine event (progress, log, started, finished) to every process. */
  publish(event: RunEvent): void;
  close(): Promise<void>;
}

/** Prefixes every topic, so that tests (or two installs on one Redis) do not hear each other. */
function prefixed(target: ApiEventTarget, prefix: string): ApiEventTarget {
  if (!prefix) return target;
  type Listener = Parameters<ApiEventTarget['addEventListener']>[1];
  return {
    addEventListener: (type: string, listener: Listener) =>
      target.addEventListener(`${prefix}${type}`, listener),
    removeEventListener: (type: string, listener: Listener) =>
      target.removeEventListener(`${prefix}${type}`, listener),
    dispatchEvent: (event: CustomEvent) =>
      target.dispatchEvent(new CustomEvent(`${prefix}${event.type}`, { detail: event.detail })),
  } as ApiEventTarget;
}

/**
 * Live run events across processes: a worker publishes its engine's RunEvents, the API server
 * subscribes (graphql-yoga pub/sub), over Redis pub/sub or PostgreSQL LISTEN/NOTIFY.
 *
 * @example
 * const bridge = await openRunEventBridge(resolveEventsTarget(process.env, databaseUrl)!);
 * await app.sync('faker', 'all', {}, { hooks: [useEventBridge(bridge)] });
 */
export async function openRunEventBridge(
  target: EventsTarget,
  options: { channel?: string } = {},
): Promise<RunEventBridge> {
  let eventTarget: ApiEventTarget;
  let close: () => Promise<void>;
  if (target.kind === 'redis') {
    const publishClient = new Redis(target.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    const subscribeClient = new Redis(target.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await Promise.all([publishClient.connect(), subscribeClient.connect()]);
    eventTarget = prefixed(
      createRedisEventTarget({ publishClient, subscribeClient }) as unknown as ApiEventTarget,
      options.channel ? `${options.channel}:` : 'crmsync:',
    );
    close = async () => {
      await Promise.all([publishClient.quit(), subscribeClient.quit()]);
    };
  } else {
    const pgTarget = await createPostgresEventTarget({
      connectionString: target.connectionString,
      ...(options.channel && { channel: options.channel }),
    });
    eventTarget = pgTarget;
    close = () => pgTarget.close();
  }
  const pubsub = createApiPubSub(eventTarget);
  log('run events over %s', target.kind);
  return {
    kind: target.kind,
    eventTarget,
    pubsub,
    publish: (event) => publishRunEvent(pubsub, event),
    close,
  };
}

/** A sync hook publishing every run event to the other processes over the bridge. */
export function useEventBridge(bridge: Pick<RunEventBridge, 'publish'>): SyncHook {
  return { onRunEvent: (event) => bridge.publish(event) };
}
