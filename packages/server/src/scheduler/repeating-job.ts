import { errorMessage, type Logger } from '@crmsync/core';
import type { Agenda } from 'agenda';

/**
 * Housekeeping every worker schedules and one worker at a time runs, e.g. renewing webhook
 * subscriptions: one Agenda job of this name (`every` keeps a single document per name), so
 * Agenda's lock on it decides which worker runs each turn. A turn due while no worker ran
 * (the first start, or every worker was down) runs at once.
 */
export interface RepeatingJob {
  /** The Agenda job name (`crmsync:<what>`). */
  name: string;
  /** Time between the starts of two turns. */
  everyMs: number;
  /**
   * How long a turn may hold the lock: a worker that dies holding it frees the job after this.
   * A turn still going at 80 % of it is aborted, so two turns never overlap.
   */
  lockLifetimeMs: number;
  run(signal: AbortSignal): Promise<void>;
}

/** Defines `jobs` on `agenda`; `schedule` puts them on their interval, `abort` ends running turns. */
export function defineRepeatingJobs(agenda: Agenda, jobs: readonly RepeatingJob[], logger: Logger) {
  const running = new Set<AbortController>();
  for (const job of jobs)
    agenda.define(
      job.name,
      async () => {
        const controller = new AbortController();
        running.add(controller);
        const limit = setTimeout(
          () =>
            controller.abort(
              new Error(
                `${job.name}: still running near its lock lifetime (${job.lockLifetimeMs} ms)`,
              ),
            ),
          job.lockLifetimeMs * 0.8,
        );
        try {
          await job.run(controller.signal);
        } catch (error) {
          logger.warn(`${job.name}: ${errorMessage(error)}`);
          throw error;
        } finally {
          clearTimeout(limit);
          running.delete(controller);
        }
      },
      { concurrency: 1, lockLifetime: job.lockLifetimeMs },
    );
  return {
    async schedule(): Promise<void> {
      for (const job of jobs) await agenda.every(job.everyMs, job.name);
    },
    abort(reason: Error): void {
      for (const c of running) c.abort(reason);
    },
  };
}
