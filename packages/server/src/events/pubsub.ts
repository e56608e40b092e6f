import type { RunEvent } from '@crmsync/core';
import { createPubSub, type PubSub, type PubSubEventTarget } from 'graphql-yoga';

/**
 * Payloads are plain JSON (dates as ISO strings) so that an event target that crosses
 * processes (Redis, PostgreSQL LISTEN/NOTIFY) carries them unchanged.
 */
export interface RunRef {
  runId: string;
  crmSource: string;
  syncType: string;
}

export interface RunProgressPayload extends RunRef {
  recordsProcessed: number;
  recordsCreated: number;
  recordsUpdated: number;
  recordsUnchanged: number;
  recordsFailed: number;
  estimatedTotal: number | null;
  recordsPerSecond: number;
  pages: number;
  at: string;
}

export interface RunLogPayload extends RunRef {
  level: string;
  message: string;
  recordId: string | null;
  at: string;
}

export interface RunStatusPayload extends RunRef {
  status: string;
  at: string;
}

/** Progress of a push or mass update (local changes written to a CRM). */
export interface WriteProgressPayload {
  runId: string;
  crmSource: string;
  entity: string;
  operation: 'push' | 'mass-update';
  total: number;
  processed: number;
  written: number;
  unchanged: number;
  conflicts: number;
  rejected: number;
  at: string;
}

export type ApiPubSubTopics = {
  'write:progress': [WriteProgressPayload];
  'run:started': [RunStatusPayload];
  'run:progress': [RunProgressPayload];
  'run:log': [RunLogPayload];
  'run:finished': [RunStatusPayload];
};

export type ApiPubSub = PubSub<ApiPubSubTopics>;

export type ApiEventTarget = PubSubEventTarget<ApiPubSubTopics>;

/**
 * The API's pub/sub. In-process by default; pass `eventTarget` (e.g.
 * `createRedisEventTarget({ publishClient, subscribeClient })`) to deliver events published by
 * another process (a worker) to this server's subscribers.
 */
export function createApiPubSub(eventTarget?: ApiEventTarget): ApiPubSub {
  return createPubSub<ApiPubSubTopics>(eventTarget ? { eventTarget } : undefined);
}

/** Publishes one engine event on the matching topic. */
export function publishRunEvent(pubsub: ApiPubSub, event: RunEvent): void {
  switch (event.type) {
    case 'run-started':
    case 'run-finished': {
      const { run } = event;
      const payload: RunStatusPayload = {
        runId: run.id,
        crmSource: run.crmSource,
        syncType: run.syncType,
        status: run.status,
        at: (run.endTime ?? run.startTime).toISOString(),
      };
      pubsub.publish(event.type === 'run-started' ? 'run:started' : 'run:finished', payload);
      return;
    }
    case 'run-progress':
      pubsub.publish('run:progress', {
        runId: event.runId,
        crmSource: event.crmSource,
        syncType: event.syncType,
        recordsProcessed: event.counts.processed,
        recordsCreated: event.counts.created,
        recordsUpdated: event.counts.updated,
        recordsUnchanged: event.counts.unchanged,
        recordsFailed: event.counts.failed,
        estimatedTotal: event.estimatedTotal,
        recordsPerSecond: event.recordsPerSecond,
        pages: event.pages,
        at: event.at.toISOString(),
      });
      return;
    case 'run-log':
      pubsub.publish('run:log', {
        runId: event.runId,
        crmSource: event.crmSource,
        syncType: event.syncType,
        level: event.level,
        message: event.message,
        recordId: event.recordId,
        at: event.at.toISOString(),
      });
      return;
  }
}
