/**
 * Whether the server answers. A tiny `GET /healthz` every 1.5 s, given 3 s to answer (and every successful API call)
 * keeps this current, so an outage shows within 5 s: `downSince` is when the first check failed,
 * `lastOk` when the server last answered (the "data as of" time). Pages call `markUpdated()`
 * after loading and register a `onRecover` callback that reloads them when it comes back.
 */
export const server = $state<{
  reachable: boolean;
  downSince: number | null;
  lastOk: number | null;
  /** When the page's figures were last loaded. */
  updatedAt: number | null;
}>({ reachable: true, downSince: null, lastOk: null, updatedAt: null });

export const HEARTBEAT_MS = 1_500;
/** A busy server may take a while: only a heartbeat unanswered this long counts as down. */
export const HEARTBEAT_TIMEOUT_MS = 3_000;
const recoverers = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function up() {
  const wasDown = !server.reachable;
  server.reachable = true;
  server.downSince = null;
  server.lastOk = Date.now();
  if (wasDown) for (const recover of recoverers) recover();
}

function down() {
  if (server.reachable) {
    server.reachable = false;
    server.downSince = Date.now();
  }
}

async function beat() {
  try {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), HEARTBEAT_TIMEOUT_MS);
    const res = await fetch('/healthz', { cache: 'no-store', signal: controller.signal });
    // Read the body: an unread response keeps its connection (and the request) open.
    await res.text();
    clearTimeout(timeout);
    if (res.ok) up();
    else down();
  } catch {
    down();
  }
}

/** Starts the heartbeat once (the layout calls it). */
export function watchServer(): void {
  if (timer || typeof window === 'undefined') return;
  void beat();
  timer = setInterval(() => void beat(), HEARTBEAT_MS);
}

/** A request failed at the network level: the server counts as down until it answers again. */
export function reportNetworkError(): void {
  down();
}

/** A request was answered. */
export function reportAnswer(): void {
  up();
}

/** The page's figures were just loaded. */
export function markUpdated(): void {
  server.updatedAt = Date.now();
}

/** Runs `reload` when the server comes back after an outage; returns the unregister. */
export function onRecover(reload: () => void): () => void {
  recoverers.add(reload);
  return () => recoverers.delete(reload);
}
