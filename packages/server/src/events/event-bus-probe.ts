import { Redis } from 'ioredis';
import pg from 'pg';
import type { EventBusProbe } from '../api/health-monitor.js';
import type { EventsTarget } from '../scheduler/run-event-bridge.js';

/**
 * A health probe of the bus that carries run events between processes: a Redis PING, or a
 * PostgreSQL `SELECT 1` on the NOTIFY connection's database, each on a connection of its own
 * that is closed afterwards (and dropped when the check's signal aborts).
 */
export function eventBusProbe(target: EventsTarget): EventBusProbe {
  if (target.kind === 'redis') {
    return {
      kind: 'redis',
      async ping(signal) {
        const redis = new Redis(target.url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
          enableOfflineQueue: false,
        });
        redis.on('error', () => {});
        const drop = () => redis.disconnect();
        signal.addEventListener('abort', drop, { once: true });
        try {
          await redis.connect();
          await redis.ping();
        } finally {
          signal.removeEventListener('abort', drop);
          redis.disconnect();
        }
      },
    };
  }
  return {
    kind: 'postgresql',
    async ping(signal) {
      const client = new pg.Client({ connectionString: target.connectionString });
      client.on('error', () => {});
      const drop = () => void client.end().catch(() => {});
      signal.addEventListener('abort', drop, { once: true });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        signal.removeEventListener('abort', drop);
        await client.end().catch(() => {});
      }
    },
  };
}
