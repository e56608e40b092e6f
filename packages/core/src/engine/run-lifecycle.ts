import { setTimeout as sleep } from 'node:timers/promises';
import { RunAlreadyRunningError } from '../contracts/errors.js';
import type { SyncOptions, SyncRun } from '../contracts/run.js';
import { classifyError, errorMessage } from './classify.js';
import { beginCounted, deadHolderReason, liveRunIds, reapInterrupted } from './holder.js';
import { canResume, findDeltaBase, planRun, type RunPlan } from './plan.js';
import type { RunContext, StoreRetry, WebhookRunTargets } from './run-context.js';

/** Finishing a run's row: about 20 s of backoff, so a database back soon gets a truthful row. */
const FINISH_RETRY: StoreRetry = { retries: 10, minTimeoutMs: 200, maxTimeoutMs: 3_000 };

export interface RunOutcome {
  status: 'success' | 'partial' | 'failed';
  error?: unknown;
}

/** The options a run records in `configuration`: the flags, never a credential. */
function describeOptions(
  options: SyncOptions,
  plan: RunPlan,
  webhook: WebhookRunTargets | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { strategy: plan.reason };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === false) continue;
    out[key] = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  }
  if (webhook)
    out.webhook = {
      events: webhook.events,
      ...(webhook.ids && { ids: webhook.ids.length }),
      deleted: webhook.deletedIds?.length ?? 0,
    };
  return out;
}

/**
 * A run's history row from `running` to finished: begun (or refused, or waiting, or reaping a
 * dead holder), kept alive by heartbeats that save its progress, and finished truthfully.
 */
export class RunLifecycle {
  readonly #ctx: RunContext;
  #persisting: Promise<void> = Promise.resolve();

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
  }

  /**
   * Plans the run and writes its `running` row. The store refuses a second running run of the
   * entity: a holder whose process is provably dead is reaped as interrupted and this run is
   * planned again (so it resumes from the holder's checkpoint); a live one refuses this run
   * (RunAlreadyRunningError), or, with `waitIfRunning`, is waited for.
   */
  async begin(): Promise<SyncRun | null> {
    const ctx = this.#ctx;
    const { store } = ctx.s;
    const { plugin, entity, options } = ctx.in;
    // The entity's declared indexes, before a run that writes: a changed declaration builds or
    // drops them here (on a large table that takes a while, once), never during a page.
    if (!options.dryRun && store.recordIndexes) {
      const changes = await store.recordIndexes.ensureIndexes(
        ctx.crm,
        ctx.entityName,
        entity.fields,
        entity.primaryKey,
      );
      if (changes.created.length > 0 || changes.dropped.length > 0)
        ctx.s.logger.info(
          `${ctx.crm}.${ctx.entityName}: indexed ${changes.created.join(', ') || 'nothing new'}; dropped ${changes.dropped.length} index(es) no longer declared`,
        );
    }
    for (;;) {
      const [lastSuccess, lastRun] = await Promise.all([
        findDeltaBase(store, ctx.crm, ctx.entityName),
        store.lastRun(ctx.crm, ctx.entityName),
      ]);
      ctx.plan = planRun({
        delta: entity.delta,
        options,
        lastSuccessfulRun: lastSuccess,
        overlapMs: plugin.deltaOverlapMs,
      });
      // A run of a few ids by webhook leaves an interrupted read's resume point to the next read.
      const resumeFrom =
        !options.dryRun && !ctx.in.webhook?.ids && canResume(lastRun, ctx.plan) ? lastRun : null;
      // Until this run writes a page, its resume point is the one it started from: if it dies
      // early too, the run after it still resumes rather than starting over.
      ctx.checkpoint = resumeFrom?.checkpoint ?? null;
      try {
        ctx.run = await beginCounted(() =>
          store.beginRun({
            crmSource: ctx.crm,
            syncType: ctx.entityName,
            endpoint: entity.name,
            mode: ctx.plan.mode,
            trigger: ctx.in.trigger,
            dryRun: options.dryRun === true,
            configuration: describeOptions(options, ctx.plan, ctx.in.webhook),
            sinceTime: ctx.plan.since ?? null,
            resumedFromRunId: resumeFrom?.id ?? null,
            workerId: ctx.s.workerId,
            leaseMs: ctx.s.leaseMs,
          }),
        );
        return resumeFrom;
      } catch (error) {
        if (!(error instanceof RunAlreadyRunningError)) throw error;
        const dead = deadHolderReason(error.running, new Date());
        if (dead) {
          const reaped = await reapInterrupted(store, error.running.id, dead);
          if (reaped) ctx.s.emit({ type: 'run-finished', run: reaped });
        } else if (ctx.in.waitIfRunning) {
          await this.#waitForEnd(error.running.id);
        } else throw error;
      }
    }
  }

  /** Polls a running run until it ends (or its process is provably gone, or we are cancelled). */
  async #waitForEnd(runId: string) {
    const ctx = this.#ctx;
    for (;;) {
      ctx.throwIfCancelled(ctx.in.signal);
      const run = await ctx.s.store.getRun(runId);
      if (run?.status !== 'running' || deadHolderReason(run, new Date())) return;
      await sleep(ctx.s.waitPollMs ?? 500);
    }
  }

  /** Heartbeat, counts, checkpoint and pending log lines, written one at a time in order. */
  persist(): Promise<void> {
    const ctx = this.#ctx;
    const events = ctx.telemetry.pendingEvents.splice(0);
    const update = {
      counts: { ...ctx.counts },
      checkpoint: ctx.checkpoint,
      highWaterMark: ctx.highWater,
      heartbeatAt: new Date(),
    };
    this.#persisting = this.#persisting
      .then(async () => {
        if (events.length) await ctx.s.store.appendEvents(events);
        await ctx.s.store.updateRunProgress(ctx.run.id, update);
      })
      .catch((error: unknown) =>
        ctx.s.logger.warn(`could not save progress of run ${ctx.run.id}: ${errorMessage(error)}`),
      );
    return this.#persisting;
  }

  async finish(outcome: RunOutcome): Promise<SyncRun> {
    const ctx = this.#ctx;
    const { store } = ctx.s;
    let errorKind = null;
    let message = null;
    if (outcome.status === 'failed') {
      errorKind = classifyError(outcome.error, ctx.abort.signal);
      message = errorMessage(outcome.error);
      // The plugin may have thrown its own AbortError at the signal: the reason is ours.
      if (errorKind === 'cancelled' && !message.startsWith('cancelled'))
        message = ctx.abort.signal.aborted ? ctx.cancelMessage() : `cancelled: ${message}`;
      // Say which CRM and entity (a client's "hubspot: …" gains the entity); a cancelled
      // run's message still starts with "cancelled:".
      const who = `${ctx.crm} ${ctx.entityName}`;
      if (!message.includes(who))
        message =
          errorKind === 'cancelled'
            ? `${message} (${who})`
            : `${who}: ${message.startsWith(`${ctx.crm}: `) ? message.slice(ctx.crm.length + 2) : message}`;
      const note = ctx.in.failureNote?.(outcome.error, errorKind);
      if (note) message = `${message}; ${note}`;
      ctx.log('error', message);
    }
    ctx.telemetry.progress(true);
    await this.persist();
    let finished: SyncRun;
    try {
      finished = await ctx.storeCall(
        'finishing the run',
        () =>
          store.finishRun(ctx.run.id, {
            status: outcome.status,
            counts: { ...ctx.counts },
            errorMessage: message,
            errorKind,
            performanceMetrics: ctx.telemetry.performance(),
            highWaterMark: ctx.highWater,
            // A failed run keeps its checkpoint so the next run can resume from it.
            checkpoint: outcome.status === 'failed' ? ctx.checkpoint : null,
          }),
        // A cancelled run still finishes its row: no signal stops these retries, and they wait
        // longer for the database to come back than a write does.
        null,
        FINISH_RETRY,
      );
    } catch (error) {
      ctx.s.logger.error(
        `could not finish run ${ctx.run.id} of ${ctx.crm} ${ctx.entityName}: ${errorMessage(error)}; it will be reaped as interrupted`,
      );
      finished = {
        ...ctx.run,
        status: outcome.status,
        counts: { ...ctx.counts },
        errorMessage: message,
        errorKind,
        endTime: new Date(),
      };
    }
    liveRunIds.delete(ctx.run.id);
    ctx.s.emit({ type: 'run-finished', run: finished });
    return finished;
  }
}
