import { createRequestMetrics, type PerformanceMetrics } from '../contracts/metrics.js';
import type { Page } from '../contracts/plugin.js';
import type { EventLevel, SyncEventInput } from '../contracts/run.js';
import type { RunEvent } from '../contracts/events.js';
import type { Logger } from '../contracts/logger.js';
import type { RunCounts, SyncRun } from '../contracts/run.js';

/**
 * What telemetry reads of its run; the RunContext passes itself. Declared here so that the
 * context, which creates the telemetry, and the telemetry do not import each other.
 */
export interface TelemetrySource {
  readonly s: { logger: Logger; progressIntervalMs: number; emit(event: RunEvent): void };
  readonly crm: string;
  readonly entityName: string;
  readonly run: SyncRun;
  readonly counts: RunCounts;
}

/** Validation warnings written to the run's log; beyond this they are only counted. */
const MAX_LOGGED_WARNINGS = 100;

/**
 * What a run tells: its log lines (queued for the store, emitted, logged), progress events,
 * and the performance metrics its history row keeps.
 */
export class RunTelemetry {
  readonly #ctx: TelemetrySource;
  readonly metrics = createRequestMetrics();
  /** Log lines not yet written to the store (taken by the lifecycle's persist). */
  readonly pendingEvents: SyncEventInput[] = [];
  pages = 0;
  fetchMs = 0;
  writeMs = 0;
  estimatedTotal: number | null = null;
  started = 0;
  #peakRss = process.memoryUsage.rss();
  #rssSampledAt = Number.NEGATIVE_INFINITY;
  #warnings = 0;
  // The first page always reports, however soon after the process started.
  #lastProgressAt = Number.NEGATIVE_INFINITY;

  constructor(ctx: TelemetrySource) {
    this.#ctx = ctx;
  }

  /** A line of the run's log (stored, emitted, and logged; `quiet` lines only at debug level). */
  log(level: EventLevel, message: string, recordId: string | null = null, quiet = false) {
    const { s, crm, entityName, run } = this.#ctx;
    const at = new Date();
    s.logger[quiet ? 'debug' : level](message, {
      crm,
      entity: entityName,
      runId: run.id,
      ...(recordId && { recordId }),
    });
    this.pendingEvents.push({ runId: run.id, level, message, recordId, at });
    s.emit({
      type: 'run-log',
      runId: run.id,
      crmSource: crm,
      syncType: entityName,
      level,
      message,
      recordId,
      at,
    });
  }

  warn(message: string, recordId: string) {
    this.#warnings++;
    if (this.#warnings <= MAX_LOGGED_WARNINGS) this.log('warn', message, recordId, true);
    else if (this.#warnings === MAX_LOGGED_WARNINGS + 1)
      this.log(
        'warn',
        `more than ${MAX_LOGGED_WARNINGS} validation warnings; the rest are counted in the run's metrics only`,
      );
  }

  /** The iterator's next page, its wait counted as fetch time. */
  timedNext(iterator: AsyncIterator<Page>): Promise<IteratorResult<Page>> {
    const started = performance.now();
    const promise = iterator.next().then((r) => {
      this.fetchMs += performance.now() - started;
      return r;
    });
    // Awaited later; until then a rejection must not count as unhandled.
    promise.catch(() => {});
    return promise;
  }

  /** Peak memory, sampled at most every 100 ms (reading it costs a system call). */
  sampleRss(force: boolean) {
    const now = performance.now();
    if (!force && now - this.#rssSampledAt < 100) return;
    this.#rssSampledAt = now;
    const rss = process.memoryUsage.rss();
    if (rss > this.#peakRss) this.#peakRss = rss;
  }

  progress(force: boolean) {
    const { s, run, crm, entityName, counts } = this.#ctx;
    const now = performance.now();
    if (!force && now - this.#lastProgressAt < s.progressIntervalMs) return;
    this.#lastProgressAt = now;
    const seconds = (now - this.started) / 1000;
    s.emit({
      type: 'run-progress',
      runId: run.id,
      crmSource: crm,
      syncType: entityName,
      counts: { ...counts },
      estimatedTotal: this.estimatedTotal,
      recordsPerSecond: seconds > 0 ? counts.processed / seconds : 0,
      pages: this.pages,
      at: new Date(),
    });
  }

  performance(): PerformanceMetrics {
    const { counts } = this.#ctx;
    this.sampleRss(true);
    const durationMs = performance.now() - this.started;
    return {
      ...this.metrics,
      durationMs: Math.round(durationMs),
      recordsPerSecond:
        durationMs > 0 ? Math.round((counts.processed / durationMs) * 1000 * 10) / 10 : 0,
      pages: this.pages,
      peakRssBytes: this.#peakRss,
      fetchMs: Math.round(this.fetchMs),
      writeMs: Math.round(this.writeMs),
      ...(this.#warnings > 0 && { validationWarnings: this.#warnings }),
      ...(this.estimatedTotal !== null && { estimatedTotal: this.estimatedTotal }),
    };
  }
}
