import type { PerformanceMetrics, RunEvent } from '@crmsync/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiRuntime } from '../runtime/api-runtime.js';
import type { HealthMonitor } from './health-monitor.js';
import { latestRunIds } from './monitoring-queries.js';

/** The status label of a run: the stored status, with a cancelled failure told apart. */
export function runStatusLabel(status: string, errorKind: string | null | undefined): string {
  return status === 'failed' && errorKind === 'cancelled' ? 'cancelled' : status;
}

/** Counters by CRM summed from the `performance_metrics` of the runs finished in this process. */
const PER_RUN_COUNTERS: ReadonlyArray<{
  name: string;
  help: string;
  value: (m: PerformanceMetrics) => number;
}> = [
  {
    name: 'crmsync_request_retries_total',
    help: 'HTTP/database requests retried by runs finished in this process',
    value: (m) => m.retries,
  },
  {
    name: 'crmsync_rate_limit_waits_total',
    help: 'Requests that waited for a rate limit (ours or a 429) in runs finished in this process',
    value: (m) => m.throttled,
  },
  {
    name: 'crmsync_rate_limit_wait_seconds_total',
    help: 'Seconds spent waiting for rate limits in runs finished in this process',
    value: (m) => m.throttledMs / 1_000,
  },
  {
    name: 'crmsync_api_calls_total',
    help: 'Requests to the CRMs made by runs finished in this process',
    value: (m) => m.apiCalls,
  },
];

/**
 * The Prometheus metrics of `/metrics` (prom-client). Figures about history (runs, records,
 * last success, scheduler lag) are read from the database at scrape time, so every worker's
 * runs count and a restart loses nothing; the run duration histogram and the request counters
 * (retries, rate-limit waits) count the runs finished in this process since it started, from
 * their `performance_metrics`.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  #unsubscribe: () => void;
  #refresh: () => Promise<void>;

  constructor(runtime: ApiRuntime, health: HealthMonitor) {
    const { prisma } = runtime;
    const registers = [this.registry];

    const runs = new Gauge({
      name: 'crmsync_runs',
      help: 'Runs in sync_history by CRM, entity and status (cancelled = failed with error kind cancelled)',
      labelNames: ['crm', 'entity', 'status'] as const,
      registers,
    });
    const records = new Gauge({
      name: 'crmsync_records',
      help: 'Records of all runs in sync_history by CRM, entity and outcome',
      labelNames: ['crm', 'entity', 'outcome'] as const,
      registers,
    });
    const lastSuccess = new Gauge({
      name: 'crmsync_last_success_timestamp_seconds',
      help: 'End of the newest successful run of each (CRM, entity), Unix seconds',
      labelNames: ['crm', 'entity'] as const,
      registers,
    });
    const lag = new Gauge({
      name: 'crmsync_scheduler_lag_seconds',
      help: 'How far behind its next_run the most overdue enabled schedule is (0 when none is overdue)',
      registers,
    });
    const overdue = new Gauge({
      name: 'crmsync_schedules_overdue',
      help: 'Enabled schedules whose next_run is more than a minute past',
      registers,
    });
    const schedulerUp = new Gauge({
      name: 'crmsync_scheduler_running',
      help: '1 when the scheduler answers as running, else 0',
      registers,
    });
    const crmUp = new Gauge({
      name: 'crmsync_crm_up',
      help: 'Last background health check of each configured CRM: 1 reachable, 0 not (absent before the first check)',
      labelNames: ['crm'] as const,
      registers,
    });
    const databaseUp = new Gauge({
      name: 'crmsync_database_up',
      help: 'Last background check of the database: 1 reachable, 0 not',
      registers,
    });
    // Each scrape refills these gauges from one set of queries, before the registry renders.
    this.#refresh = async () => {
      const now = new Date();
      // Whole-history figures from the totals the database keeps (`sync_history_totals`, one
      // row per group): a scrape reads a few hundred rows, not every run ever stored.
      const [groups, schedules] = await Promise.all([
        prisma.syncHistoryTotal.findMany({ where: { runs: { gt: 0 } } }),
        prisma.syncSchedule.findMany({
          where: { enabled: true, nextRun: { lt: now } },
          select: { nextRun: true },
        }),
      ]);
      // The newest successful run of each pair that has one, found through the pair's index.
      const succeeded = groups
        .filter((g) => g.status === 'success')
        .map((g) => ({ crm: g.crmSource, entity: g.syncType }));
      const ids = await latestRunIds(prisma, runtime.provider, succeeded, 'success');
      const newest =
        ids.length === 0
          ? []
          : await prisma.syncHistory.findMany({
              where: { id: { in: ids } },
              select: { crmSource: true, syncType: true, startTime: true, endTime: true },
            });
      runs.reset();
      records.reset();
      lastSuccess.reset();
      for (const g of groups) {
        const labels = { crm: g.crmSource, entity: g.syncType };
        const status = runStatusLabel(g.status, g.errorKind === '' ? null : g.errorKind);
        runs.inc({ ...labels, status }, Number(g.runs));
        // A pair's records are the sum over its groups (statuses and kinds).
        records.inc({ ...labels, outcome: 'processed' }, Number(g.recordsProcessed));
        records.inc({ ...labels, outcome: 'created' }, Number(g.recordsCreated));
        records.inc({ ...labels, outcome: 'updated' }, Number(g.recordsUpdated));
        records.inc({ ...labels, outcome: 'failed' }, Number(g.recordsFailed));
      }
      for (const run of newest) {
        const end = run.endTime ?? run.startTime;
        lastSuccess.set({ crm: run.crmSource, entity: run.syncType }, end.getTime() / 1_000);
      }
      const behind = schedules.map((s) => (now.getTime() - s.nextRun!.getTime()) / 1_000);
      lag.set(Math.max(0, ...behind));
      overdue.set(behind.filter((seconds) => seconds > 60).length);

      const scheduler = await health.scheduler(async () => ({
        running: false,
        message: null,
        workers: [],
      }));
      schedulerUp.set(scheduler.running ? 1 : 0);
      crmUp.reset();
      for (const crm of health.crms()) {
        if (crm.reachable !== null) crmUp.set({ crm: crm.crm }, crm.reachable ? 1 : 0);
      }
      const database = await health.database();
      databaseUp.set(database.reachable ? 1 : 0);
    };

    const duration = new Histogram({
      name: 'crmsync_run_duration_seconds',
      help: 'Duration of the runs finished in this process since it started',
      labelNames: ['crm', 'entity', 'status'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
      registers,
    });
    // The request figures each finished run's performance_metrics carries: one counter per row.
    const perCrm = PER_RUN_COUNTERS.map(({ name, help, value }) => ({
      value,
      counter: new Counter({ name, help, labelNames: ['crm'] as const, registers }),
    }));
    this.#unsubscribe = runtime.subscribe((event: RunEvent) => {
      if (event.type !== 'run-finished') return;
      const run = event.run;
      const crm = run.crmSource;
      const seconds = run.endTime
        ? (run.endTime.getTime() - run.startTime.getTime()) / 1_000
        : (run.performanceMetrics?.durationMs ?? 0) / 1_000;
      duration.observe(
        { crm, entity: run.syncType, status: runStatusLabel(run.status, run.errorKind) },
        seconds,
      );
      const m = run.performanceMetrics;
      if (m) for (const { counter, value } of perCrm) counter.inc({ crm }, value(m));
    });
  }

  /** The text exposition (`text/plain; version=0.0.4`). */
  async render(): Promise<{ contentType: string; body: string }> {
    await this.#refresh();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.#unsubscribe();
  }
}
