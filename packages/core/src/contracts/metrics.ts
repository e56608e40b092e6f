/** Counters an HTTP or database client increments during one run. */
export interface RequestMetrics {
  apiCalls: number;
  retries: number;
  /** Requests that waited because of a rate limit (ours or a 429 from the CRM). */
  throttled: number;
  /** Milliseconds spent waiting for the rate limiter or a Retry-After. */
  throttledMs: number;
}

export function createRequestMetrics(): RequestMetrics {
  return { apiCalls: 0, retries: 0, throttled: 0, throttledMs: 0 };
}

/** What a finished run reports in `performance_metrics`. */
export interface PerformanceMetrics extends RequestMetrics {
  durationMs: number;
  recordsPerSecond: number;
  pages: number;
  peakRssBytes: number;
  /** Time spent waiting for the CRM vs writing to the store. */
  fetchMs: number;
  writeMs: number;
  /** Validation warnings seen (only the first hundred are in the run's log). */
  validationWarnings?: number;
  /**
   * The CRM's estimate of the records to read, as its last page reported it: a run that stopped
   * early (cancelled, failed) keeps where it stopped (`recordsProcessed` of this).
   */
  estimatedTotal?: number;
}
