import { createLogger } from '@crmsync/core';
import pg from 'pg';
import type { ApiEventTarget } from './pubsub.js';

const log = createLogger('crmsync:api:pg-events');

/** PostgreSQL's NOTIFY payload limit is 8000 bytes; larger events are dropped with a debug line. */
const MAX_PAYLOAD = 7_900;

export interface PostgresEventTarget extends ApiEventTarget {
  close(): Promise<void>;
}

type Listener = EventListenerOrEventListenerObject;

/**
 * A yoga pub/sub event target over PostgreSQL LISTEN/NOTIFY, so that run events published by
 * one process (a worker running a sync) reach the subscribers of another (the API server)
 * sharing the database. Every process LISTENs on one channel; an event is `pg_notify`'d as
 * `{ type, detail }` and delivered to local listeners when it comes back, in commit order.
 *
 * @example
 * const eventTarget = await createPostgresEventTarget({ connectionString: process.env.DATABASE_URL! });
 * await startApiServer({ runtime, eventTarget });
 */
export async function createPostgresEventTarget(options: {
  connectionString: string;
  channel?: string;
}): Promise<PostgresEventTarget> {
  const channel = options.channel ?? 'crmsync_events';
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  const client = new pg.Client({ connectionString: options.connectionString });
  client.on('error', (error) => log.debug(`connection error: ${error.message}`));
  await client.connect();
  await client.query(`LISTEN ${channel}`);
  const listeners = new Map<string, Set<Listener>>();
  let sending: Promise<void> = Promise.resolve();

  client.on('notification', (message) => {
    if (message.channel !== channel || !message.payload) return;
    let parsed: { type: string; detail: unknown };
    try {
      parsed = JSON.parse(message.payload) as { type: string; detail: unknown };
    } catch {
      return;
    }
    const event = new CustomEvent(parsed.type, { detail: parsed.detail });
    for (const listener of listeners.get(parsed.type) ?? []) {
      if (typeof listener === 'function') listener(event);
      else listener.handleEvent(event);
    }
  });

  return {
    addEventListener(type: string, listener: Listener | null) {
      if (!listener) return;
      const set = listeners.get(type) ?? new Set();
      set.add(listener);
      listeners.set(type, set);
    },
    removeEventListener(type: string, listener: Listener | null) {
      if (listener) listeners.get(type)?.delete(listener);
    },
    dispatchEvent(event: Event) {
      const payload = JSON.stringify({ type: event.type, detail: (event as CustomEvent).detail });
      if (Buffer.byteLength(payload) > MAX_PAYLOAD) {
        log.debug(`dropped a ${event.type} event of ${payload.length} bytes (NOTIFY limit)`);
        return false;
      }
      // One query at a time on this connection, in dispatch order: pg queues concurrent
      // queries itself only as a deprecated behaviour (gone in pg 9).
      sending = sending
        .then(() => client.query('SELECT pg_notify($1, $2)', [channel, payload]))
        .then(
          () => undefined,
          (error: Error) => log.debug(`NOTIFY failed: ${error.message}`),
        );
      return true;
    },
    async close() {
      listeners.clear();
      await sending;
      await client.end();
    },
  } as PostgresEventTarget;
}
