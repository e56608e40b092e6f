import type { EventLevel, RunCounts, SyncRun } from './run.js';

/** What the engine emits while a run goes; the CLI, API and dashboard all consume these. */
export type RunEvent =
  | { type: 'run-started'; run: SyncRun }
  | {
      type: 'run-progress';
      runId: string;
      crmSource: string;
      syncType: string;
      counts: RunCounts;
      /** Records the CRM says the read will return, when it says. */
      estimatedTotal: number | null;
      recordsPerSecond: number;
      pages: number;
      at: Date;
    }
  | {
      type: 'run-log';
      runId: string;
      crmSource: string;
      syncType: string;
      level: EventLevel;
      message: string;
      recordId: string | null;
      at: Date;
    }
  | { type: 'run-finished'; run: SyncRun };

export type RunEventListener = (event: RunEvent) => void;
