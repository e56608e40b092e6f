import { type Client, createClient } from 'graphql-ws';
import { onRecover } from './server-status.svelte';

/** Which channel keeps the page current: the graphql-ws socket, or 30 s polling while it is down. */
export const connection = $state<{ mode: 'connecting' | 'live' | 'polling' }>({
  mode: 'connecting',
});

export const POLL_INTERVAL_MS = 30_000;

let client: Client | undefined;

function ws(): Client {
  if (client) return client;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  client = createClient({
    url,
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((r) => setTimeout(r, Math.min(1_000 * 2 ** retries, 15_000)));
    },
    on: {
      connected: () => {
        connection.mode = 'live';
      },
      closed: () => {
        connection.mode = 'polling';
      },
      error: () => {
        connection.mode = 'polling';
      },
    },
  });
  return client;
}

/** Subscribes to a GraphQL subscription; returns the function that ends it. */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
): () => void {
  return ws().subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.data) onData(result.data as T);
      },
      error: () => {
        connection.mode = 'polling';
      },
      complete: () => {},
    },
  );
}

/**
 * Calls `refresh` every 30 s while the socket is down, so a page stays current without it.
 * Returns the function that stops polling.
 */
export function pollWhileOffline(refresh: () => void): () => void {
  ws();
  const timer = setInterval(() => {
    if (connection.mode !== 'live') refresh();
  }, POLL_INTERVAL_MS);
  // Back after an outage: reload at once rather than at the next poll.
  const unregister = onRecover(refresh);
  return () => {
    clearInterval(timer);
    unregister();
  };
}

/** Opens the socket (every page's layout does), so the live badge is right wherever one lands. */
export function connect(): void {
  ws();
}
