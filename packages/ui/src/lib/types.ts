export type RunStatus = 'running' | 'success' | 'partial' | 'failed';

export interface RunRow {
  id: string;
  crmSource: string;
  syncType: string;
  status: RunStatus;
  mode: string;
  trigger: string;
  dryRun: boolean;
  startTime: string;
  endTime: string | null;
  durationSeconds: number | null;
  recordsProcessed: number;
  recordsCreated: number;
  recordsUpdated: number;
  recordsFailed: number;
  errorMessage: string | null;
  errorKind: string | null;
}

export interface PluginOption {
  name: string;
  type: 'boolean' | 'integer' | 'string' | 'enum';
  description: string;
  default: unknown;
  choices: string[] | null;
  min: number | null;
  max: number | null;
}

export interface ScheduleRow {
  id: string;
  crmSource: string;
  syncType: string;
  interval: string | null;
  cron: string | null;
  enabled: boolean;
  pausedReason: string | null;
  nextRun: string | null;
  lastRunId: string | null;
  options: Record<string, unknown>;
  updatedAt: string;
}

export interface ProgressEvent {
  runId: string;
  crmSource: string;
  syncType: string;
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
