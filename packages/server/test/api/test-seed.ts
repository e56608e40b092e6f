import { Prisma, type PrismaClient } from '../../src/store/index.js';
import { newRunId } from '../../src/store/run-id.js';

export interface SeedRun {
  crm: string;
  entity: string;
  status: 'running' | 'success' | 'partial' | 'failed';
  /** Minutes before now the run started. */
  startedMinutesAgo: number;
  durationSeconds?: number;
  processed?: number;
  created?: number;
  updated?: number;
  failed?: number;
  errorKind?: string;
  errorMessage?: string;
  configuration?: Record<string, unknown>;
}

/** Writes finished (or running) history rows as a past of runs would have left them. */
export async function seedRuns(
  prisma: PrismaClient,
  runs: SeedRun[],
  now = Date.now(),
): Promise<string[]> {
  const ids: string[] = [];
  for (const run of runs) {
    const start = now - run.startedMinutesAgo * 60_000;
    const id = newRunId(start);
    ids.push(id);
    const end =
      run.status === 'running' ? null : new Date(start + (run.durationSeconds ?? 60) * 1_000);
    await prisma.syncHistory.create({
      data: {
        id,
        crmSource: run.crm,
        syncType: run.entity,
        status: run.status,
        mode: 'delta',
        trigger: 'schedule',
        startTime: new Date(start),
        endTime: end,
        recordsProcessed: run.processed ?? 0,
        recordsCreated: run.created ?? 0,
        recordsUpdated: run.updated ?? 0,
        recordsFailed: run.failed ?? 0,
        errorKind: run.errorKind ?? null,
        errorMessage: run.errorMessage ?? null,
        configuration: (run.configuration ?? {}) as Prisma.InputJsonValue,
        performanceMetrics: Prisma.DbNull,
        heartbeatAt: run.status === 'running' ? new Date(now) : null,
        workerId: run.status === 'running' ? 'worker-a' : null,
        leaseMs: 600_000,
      },
    });
  }
  return ids;
}
