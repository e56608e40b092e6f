import type { SyncEvent, SyncEventInput } from './run.js';

/** The event capability of a store: each run's log lines, kept in order. */
export interface EventStore {
  appendEvents(events: SyncEventInput[]): Promise<void>;
  listEvents(runId: string, options?: { limit?: number }): Promise<SyncEvent[]>;
}
