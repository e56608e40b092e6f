import type { SyncRun } from '../contracts/run.js';
import { PagePipeline } from './page-pipeline.js';
import { RunContext, type SyncRunInput, type SyncRunSettings } from './run-context.js';
import { RunLifecycle, type RunOutcome } from './run-lifecycle.js';

export {
  DEFAULT_STORE_RETRY,
  type StoreRetry,
  type SyncRunInput,
  type SyncRunSettings,
} from './run-context.js';

/**
 * One run of one entity, from the history row written as `running` to the row finished as
 * `success`, `partial` or `failed` — whatever happens in between. Its rooms: the lifecycle
 * (run-lifecycle.ts), the page pipeline (page-pipeline.ts) with the record preparer, the
 * record writer and the deletion tracker, and the telemetry (run-telemetry.ts), sharing one
 * RunContext.
 */
export class SyncRunExecution {
  readonly #ctx: RunContext;
  readonly #lifecycle: RunLifecycle;

  constructor(settings: SyncRunSettings, input: SyncRunInput) {
    this.#ctx = new RunContext(settings, input);
    this.#lifecycle = new RunLifecycle(this.#ctx);
  }

  async execute(): Promise<SyncRun> {
    const ctx = this.#ctx;
    const lifecycle = this.#lifecycle;
    const resumeFrom = await lifecycle.begin();
    ctx.telemetry.started = performance.now();
    ctx.s.emit({ type: 'run-started', run: ctx.run });
    ctx.log(
      'info',
      `${ctx.plan.reason}${resumeFrom ? `; resuming from the checkpoint of interrupted run ${resumeFrom.id}` : ''}`,
    );

    const onAbort = () => ctx.abort.abort(ctx.in.signal?.reason);
    if (ctx.in.signal?.aborted) onAbort();
    else ctx.in.signal?.addEventListener('abort', onAbort, { once: true });
    const heartbeat = setInterval(() => lifecycle.persist(), ctx.s.heartbeatIntervalMs);
    heartbeat.unref?.();

    let outcome: RunOutcome = { status: 'success' };
    try {
      const pipeline = new PagePipeline(ctx, () => lifecycle.persist());
      await pipeline.stream(resumeFrom?.checkpoint ?? undefined, resumeFrom !== null);
      outcome = { status: ctx.counts.failed > 0 ? 'partial' : 'success' };
    } catch (error) {
      outcome = { status: 'failed', error };
    } finally {
      clearInterval(heartbeat);
      ctx.in.signal?.removeEventListener('abort', onAbort);
    }
    return lifecycle.finish(outcome);
  }
}
