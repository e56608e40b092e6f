import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { CrmsyncError } from '../contracts/errors.js';
import type { RunEvent } from '../contracts/events.js';
import type { Logger } from '../contracts/logger.js';
import { createRequestMetrics, type PerformanceMetrics } from '../contracts/metrics.js';
import type {
  Checkpoint,
  CrmPlugin,
  EntityDefinition,
  FetchRequest,
  Page,
  PluginConfigValues,
} from '../contracts/plugin.js';
import type { Processor, ValidationContext } from '../contracts/processor.js';
import type {
  EventLevel,
  RunCounts,
  RunTrigger,
  SyncEventInput,
  SyncOptions,
  SyncRun,
} from '../contracts/run.js';
import type { RecordWrite, Store, UpsertOptions } from '../contracts/store.js';
import { hashContent } from '../hash.js';
import { createDefaultProcessor } from '../mapping/processor.js';
import { groupKey } from '../store/groups.js';
import { classifyError, errorMessage } from './classify.js';
import { canResume, findDeltaBase, planRun, type RunPlan } from './plan.js';
import { pageSizeFor, resumeCheckpoint } from './fetch-request.js';

/** Records mapped between two turns of the event loop (see #preparePage). */
const PREPARE_SLICE = 100;

/** Validation warnings written to the run's log; beyond this they are only counted. */
const MAX_LOGGED_WARNINGS = 100;

export interface SyncRunSettings {
  store: Store;
  logger: Logger;
  workerId: string | null;
  leaseMs: number;
  heartbeatIntervalMs: number;
  progressIntervalMs: number;
  writeBatchSize: number;
  emit(event: RunEvent): void;
}

export interface SyncRunInput {
  plugin: CrmPlugin;
  entity: EntityDefinition;
  config: PluginConfigValues;
  options: SyncOptions;
  trigger: RunTrigger;
  signal?: AbortSignal;
  client?: unknown;
}

const zeroCounts = (): RunCounts => ({
  processed: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
});

/** The options a run records in `configuration`: the flags, never a credential. */
function describeOptions(options: SyncOptions, plan: RunPlan): Record<string, unknown> {
  const out: Record<string, unknown> = { strategy: plan.reason };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === false) continue;
    out[key] = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  }
  return out;
}

/**
 * One run of one entity, from the history row written as `running` to the row finished as
 * `success`, `partial` or `failed` — whatever happens in between.
 */
export class SyncRunExecution {
  readonly #s: SyncRunSettings;
  readonly #in: SyncRunInput;
  readonly #crm: string;
  readonly #entityName: string;
  readonly #counts = zeroCounts();
  readonly #metrics = createRequestMetrics();
  readonly #abort = new AbortController();
  readonly #pendingEvents: SyncEventInput[] = [];
  #run!: SyncRun;
  #plan!: RunPlan;
  #pages = 0;
  #fetchMs = 0;
  #writeMs = 0;
  #peakRss = process.memoryUsage.rss();
  #rssSampledAt = Number.NEGATIVE_INFINITY;
  #checkpoint: Checkpoint | null = null;
  #highWater: Date | null = null;
  #estimatedTotal: number | null = null;
  #warnings = 0;
  // The first page always reports, however soon after the process started.
  #lastProgressAt = Number.NEGATIVE_INFINITY;
  #started = 0;
  #persisting: Promise<void> = Promise.resolve();
  /** The store work of the pages read so far, in page order (see #writeBehind). */
  #writes: Promise<void> = Promise.resolve();

  constructor(settings: SyncRunSettings, input: SyncRunInput) {
    this.#s = settings;
    this.#in = input;
    this.#crm = input.plugin.name;
    this.#entityName = input.entity.name;
  }

  async execute(): Promise<SyncRun> {
    const { store } = this.#s;
    const { plugin, entity, options } = this.#in;
    const [lastSuccess, lastRun] = await Promise.all([
      findDeltaBase(store, this.#crm, this.#entityName),
      store.lastRun(this.#crm, this.#entityName),
    ]);
    this.#plan = planRun({
      delta: entity.delta,
      options,
      lastSuccessfulRun: lastSuccess,
      overlapMs: plugin.deltaOverlapMs,
    });
    const resumeFrom = !options.dryRun && canResume(lastRun, this.#plan) ? lastRun : null;
    // Until this run writes a page, its resume point is the one it started from: if it dies
    // early too, the run after it still resumes rather than starting over.
    this.#checkpoint = resumeFrom?.checkpoint ?? null;

    this.#run = await store.beginRun({
      crmSource: this.#crm,
      syncType: this.#entityName,
      endpoint: entity.name,
      mode: this.#plan.mode,
      trigger: this.#in.trigger,
      dryRun: options.dryRun === true,
      configuration: describeOptions(options, this.#plan),
      sinceTime: this.#plan.since ?? null,
      resumedFromRunId: resumeFrom?.id ?? null,
      workerId: this.#s.workerId,
      leaseMs: this.#s.leaseMs,
    });
    this.#started = performance.now();
    this.#s.emit({ type: 'run-started', run: this.#run });
    this.#log(
      'info',
      `${this.#plan.reason}${resumeFrom ? `; resuming from the checkpoint of interrupted run ${resumeFrom.id}` : ''}`,
    );

    const onAbort = () => this.#abort.abort(this.#in.signal?.reason);
    if (this.#in.signal?.aborted) onAbort();
    else this.#in.signal?.addEventListener('abort', onAbort, { once: true });
    const heartbeat = setInterval(() => this.#persist(), this.#s.heartbeatIntervalMs);
    heartbeat.unref?.();

    let outcome: { status: 'success' | 'partial' | 'failed'; error?: unknown } = {
      status: 'success',
    };
    try {
      await this.#stream(resumeFrom?.checkpoint ?? undefined, resumeFrom !== null);
      outcome = { status: this.#counts.failed > 0 ? 'partial' : 'success' };
    } catch (error) {
      outcome = { status: 'failed', error };
    } finally {
      clearInterval(heartbeat);
      this.#in.signal?.removeEventListener('abort', onAbort);
    }
    return this.#finish(outcome);
  }

  async #stream(checkpoint: Checkpoint | undefined, resumed: boolean) {
    const { plugin, entity, options } = this.#in;
    const logger = this.#s.logger.child(`crmsync:plugin:${this.#crm}`);
    const ownClient = this.#in.client === undefined;
    const client = ownClient
      ? await plugin.createClient({
          config: this.#in.config,
          logger,
          metrics: this.#metrics,
          signal: this.#abort.signal,
        })
      : this.#in.client;
    try {
      const request: FetchRequest = {
        mode: this.#plan.mode,
        batchSize: pageSizeFor(entity, options.batchSize),
        signal: this.#abort.signal,
        options: options.pluginOptions ?? {},
        logger,
        ...(this.#plan.since && { since: this.#plan.since }),
        ...(this.#plan.until && { until: this.#plan.until }),
        ...(options.maxRecords !== undefined && { maxRecords: options.maxRecords }),
      };
      const resume = resumeCheckpoint(entity, checkpoint, (m) => this.#log('warn', m));
      if (resume) request.checkpoint = resume;
      const processor: Processor = entity.processor ?? createDefaultProcessor(entity, this.#crm);
      const context: ValidationContext = {
        crm: this.#crm,
        entity: this.#entityName,
        mode: options.skipValidation ? 'skip' : options.strictValidation ? 'strict' : 'lenient',
        fields: entity.fields,
      };
      // Ids read, when rows a complete read did not return are to be soft-deleted after it.
      const readsAll =
        entity.delta.kind === 'none' ||
        (entity.fullReadDetectsDeletes === true &&
          (this.#plan.mode === 'full' || this.#plan.mode === 'force'));
      // Groups of records a read returned whole (EntityDefinition.groupedBy), to remove what the
      // CRM removed from them; read fully, a readsAll entity removes it anyway.
      const grouped = entity.groupedBy?.length ? entity.groupedBy : null;
      const completeGroups = grouped ? new Map<string, readonly string[]>() : null;
      const seen = readsAll || grouped ? new Set<string>() : null;
      let complete = true;
      let notModified = false;
      const iterator = entity.fetch(client, request)[Symbol.asyncIterator]();
      try {
        let next = this.#timedNext(iterator);
        for (;;) {
          this.#throwIfCancelled();
          const result = await next;
          this.#throwIfCancelled();
          if (result.done) break;
          const page = this.#checkPage(result.value);
          this.#pages++;
          if (page.notModified) notModified = true;
          if (page.estimatedTotal !== undefined) this.#estimatedTotal = page.estimatedTotal;
          const room =
            options.maxRecords === undefined
              ? Number.POSITIVE_INFINITY
              : options.maxRecords - this.#counts.processed;
          const records = page.records.length > room ? page.records.slice(0, room) : page.records;
          const reachedMax =
            this.#counts.processed + records.length >=
            (options.maxRecords ?? Number.POSITIVE_INFINITY);
          // Pipelining: ask for the next page before writing this one.
          if (!reachedMax) {
            next = this.#timedNext(iterator);
            // Let the plugin send that request before this page's mapping and validation hold
            // the thread. Two turns of the event loop, not one: undici writes a request on an
            // idle keep-alive socket only from a setImmediate of its own (it first lets the
            // loop see whether the server closed the socket), queued behind this one; after a
            // single turn that write waited for the first slice of mapping (measured: the
            // request left 0.6 ms after it was made instead of 0.1-0.2 ms, and the sync of
            // 200,000 faker records took 3.52 s instead of 3.34 s, medians of 8 alternating
            // runs; 4.49 s against 3.98 s in 10 more on a busier machine).
            await yieldToLoop();
            await yieldToLoop();
          }
          const failedBefore = this.#counts.failed;
          const prepared = await this.#preparePage(records, processor, context, seen);
          // A page's groups count only when every record of it was read and kept: a group cut
          // by --max-records, or with a record that failed mapping or validation, is not whole.
          if (
            grouped &&
            completeGroups &&
            page.completeGroups &&
            records.length === page.records.length &&
            this.#counts.failed === failedBefore
          ) {
            for (const group of this.#checkGroups(page.completeGroups, grouped))
              completeGroups.set(groupKey(group), group);
          }
          // Write-behind: this page is written while the next one is fetched and mapped.
          await this.#writeBehind(async () => {
            for (const batch of prepared.batches) await this.#flush(batch);
            if (page.deletedIds?.length && !options.dryRun) {
              this.#counts.deleted += await this.#s.store.softDeleteRecords(
                this.#crm,
                this.#entityName,
                page.deletedIds,
                this.#run.id,
              );
            }
            // The page's resume point and high-water mark count once its records are stored.
            if (prepared.highWater && (!this.#highWater || prepared.highWater > this.#highWater))
              this.#highWater = prepared.highWater;
            if (page.checkpoint) this.#checkpoint = page.checkpoint;
            this.#persist();
            this.#progress(false);
            this.#sampleRss(false);
          });
          if (reachedMax) {
            complete = false;
            break;
          }
        }
        await this.#writes;
      } finally {
        // Never finish (or close the client) with a page still being written.
        await this.#writes.catch(() => {});
        await iterator.return?.();
      }
      const fullRead = this.#plan.mode !== 'start-date' && !this.#plan.until && !resumed;
      const deletesMissing = readsAll && complete && fullRead && !notModified;
      if (seen && deletesMissing && !options.dryRun) {
        this.#counts.deleted += await this.#s.store.softDeleteMissing(
          this.#crm,
          this.#entityName,
          seen,
          this.#run.id,
        );
      } else if (seen && grouped && completeGroups?.size && !options.dryRun) {
        // Each listed group's records were all in the page that listed it, so this holds for a
        // capped or resumed read too (their pages' records are in `seen`).
        await this.#deleteMissingInGroups(grouped, [...completeGroups.values()], seen);
      }
      this.#checkpoint = null;
    } finally {
      if (ownClient) await plugin.closeClient?.(client);
    }
  }

  #timedNext(iterator: AsyncIterator<Page>): Promise<IteratorResult<Page>> {
    const started = performance.now();
    const promise = iterator.next().then((r) => {
      this.#fetchMs += performance.now() - started;
      return r;
    });
    // Awaited later; until then a rejection must not count as unhandled.
    promise.catch(() => {});
    return promise;
  }

  /** A page's `completeGroups`, refused with a clear message unless each is [...fields] as text. */
  #checkGroups(groups: unknown, fields: readonly string[]): Array<readonly string[]> {
    const valid =
      Array.isArray(groups) &&
      groups.every(
        (group) =>
          Array.isArray(group) &&
          group.length === fields.length &&
          group.every((value) => typeof value === 'string'),
      );
    if (!valid) {
      throw new CrmsyncError(
        'data',
        `${this.#crm} ${this.#entityName}: page ${this.#pages} lists completeGroups that are not [${fields.join(', ')}] values as text (got ${JSON.stringify(groups)?.slice(0, 120)})`,
        { crm: this.#crm, entity: this.#entityName },
      );
    }
    return groups as Array<readonly string[]>;
  }

  async #deleteMissingInGroups(
    fields: readonly string[],
    groups: Array<readonly string[]>,
    keep: ReadonlySet<string>,
  ) {
    const store = this.#s.store;
    if (!store.softDeleteMissingInGroups) {
      this.#log(
        'warn',
        `${this.#crm} ${this.#entityName}: records the CRM removed from ${groups.length} group(s) stay live: the store cannot soft-delete by group (softDeleteMissingInGroups); a full sync removes them`,
      );
      return;
    }
    this.#counts.deleted += await store.softDeleteMissingInGroups(
      this.#crm,
      this.#entityName,
      { fields, groups },
      keep,
      this.#run.id,
    );
  }

  #checkPage(page: unknown): Page {
    if (!page || typeof page !== 'object' || !Array.isArray((page as Page).records)) {
      throw new CrmsyncError(
        'data',
        `${this.#crm} ${this.#entityName}: page ${this.#pages + 1} is malformed (expected { records: [...] }, got ${JSON.stringify(page)?.slice(0, 120)})`,
        {
          crm: this.#crm,
          entity: this.#entityName,
        },
      );
    }
    return page as Page;
  }

  #cancelMessage(): string {
    const reason: unknown = this.#abort.signal.reason;
    const why =
      reason instanceof Error ? reason.message : reason ? String(reason) : 'stopped by request';
    return `cancelled: ${why}`;
  }

  #throwIfCancelled() {
    if (this.#abort.signal.aborted) {
      throw new CrmsyncError('cancelled', this.#cancelMessage(), {
        crm: this.#crm,
        entity: this.#entityName,
      });
    }
  }

  /**
   * Queues `task` (a page's store work) behind the pages queued before it, and waits until at
   * most this one is still being written: one page is written while the next is prepared, and
   * no more than that is held in memory. A failed write surfaces here, at the next page.
   */
  async #writeBehind(task: () => Promise<void>): Promise<void> {
    const previous = this.#writes;
    const current = previous.then(task);
    // Awaited by the next page or at the end; until then a rejection is not unhandled.
    current.catch(() => {});
    this.#writes = current;
    await previous;
  }

  /**
   * A page's records mapped, validated and hashed, in write batches (nothing written yet).
   * Every PREPARE_SLICE records it lets the event loop run, so the next page's request goes
   * out and its answer comes in while this page is mapped, however many turns the plugin's
   * client needs for that.
   */
  async #preparePage(
    records: unknown[],
    processor: Processor,
    context: ValidationContext,
    seen: Set<string> | null,
  ): Promise<{ batches: RecordWrite[][]; highWater: Date | null }> {
    const batches: RecordWrite[][] = [];
    let batch: RecordWrite[] = [];
    let highWater: Date | null = null;
    let sliced = 0;
    for (const raw of records) {
      if (++sliced === PREPARE_SLICE) {
        sliced = 0;
        await yieldToLoop();
      }
      this.#counts.processed++;
      let mapped: ReturnType<Processor['transform']>;
      try {
        mapped = processor.transform(raw);
      } catch (error) {
        this.#recordFailure(
          null,
          `${this.#crm} ${this.#entityName}: record ${this.#counts.processed} could not be mapped: ${errorMessage(error)}`,
        );
        continue;
      }
      const result = processor.validate(mapped, context);
      for (const w of result.warnings) this.#warn(w.message, w.recordId);
      if (!result.ok) {
        this.#recordFailure(
          mapped.externalId,
          `${this.#crm} ${this.#entityName} record ${mapped.externalId} failed validation: ${result.errors.map((e) => e.message).join('; ')}`,
        );
        continue;
      }
      const record = result.record;
      seen?.add(record.externalId);
      if (record.remoteUpdatedAt && (!highWater || record.remoteUpdatedAt > highWater))
        highWater = record.remoteUpdatedAt;
      const { hash, json } = hashContent(record.data);
      batch.push({
        externalId: record.externalId,
        data: record.data,
        hash,
        json,
        remoteUpdatedAt: record.remoteUpdatedAt ?? null,
        remoteCreatedAt: record.remoteCreatedAt ?? null,
      });
      if (batch.length >= this.#s.writeBatchSize) {
        batches.push(batch);
        batch = [];
      }
    }
    if (batch.length > 0) batches.push(batch);
    return { batches, highWater };
  }

  /** Peak memory, sampled at most every 100 ms (reading it costs a system call). */
  #sampleRss(force: boolean) {
    const now = performance.now();
    if (!force && now - this.#rssSampledAt < 100) return;
    this.#rssSampledAt = now;
    const rss = process.memoryUsage.rss();
    if (rss > this.#peakRss) this.#peakRss = rss;
  }

  async #flush(batch: RecordWrite[]) {
    if (this.#in.options.dryRun) return;
    const started = performance.now();
    const options: UpsertOptions = { runId: this.#run.id, policy: this.#plan.policy };
    try {
      this.#count(await this.#s.store.upsertRecords(this.#crm, this.#entityName, batch, options));
    } catch (batchError) {
      // One bad record must fail alone: write the batch one by one.
      this.#log(
        'warn',
        `batch of ${batch.length} failed (${errorMessage(batchError)}); writing its records one by one`,
      );
      let failures = 0;
      for (const record of batch) {
        try {
          this.#count(
            await this.#s.store.upsertRecords(this.#crm, this.#entityName, [record], options),
          );
        } catch (error) {
          failures++;
          this.#recordFailure(
            record.externalId,
            `${this.#crm} ${this.#entityName} record ${record.externalId} could not be written: ${errorMessage(error)}`,
          );
        }
      }
      if (batch.length > 1 && failures === batch.length) {
        throw new CrmsyncError(
          'system',
          `${this.#crm} ${this.#entityName}: the store refused every record of a batch: ${errorMessage(batchError)}`,
          {
            crm: this.#crm,
            entity: this.#entityName,
          },
          { cause: batchError },
        );
      }
    } finally {
      this.#writeMs += performance.now() - started;
    }
  }

  #count(result: { created: number; updated: number; unchanged: number; keptNewer: number }) {
    this.#counts.created += result.created;
    this.#counts.updated += result.updated;
    this.#counts.unchanged += result.unchanged + result.keptNewer;
  }

  #recordFailure(recordId: string | null, message: string) {
    this.#counts.failed++;
    this.#log('error', message, recordId);
  }

  #warn(message: string, recordId: string) {
    this.#warnings++;
    if (this.#warnings <= MAX_LOGGED_WARNINGS) this.#log('warn', message, recordId, true);
    else if (this.#warnings === MAX_LOGGED_WARNINGS + 1)
      this.#log(
        'warn',
        `more than ${MAX_LOGGED_WARNINGS} validation warnings; the rest are counted in the run's metrics only`,
      );
  }

  /** A line of the run's log (stored, emitted, and logged; `quiet` lines only at debug level). */
  #log(level: EventLevel, message: string, recordId: string | null = null, quiet = false) {
    const at = new Date();
    this.#s.logger[quiet ? 'debug' : level](message, {
      crm: this.#crm,
      entity: this.#entityName,
      runId: this.#run.id,
      ...(recordId && { recordId }),
    });
    this.#pendingEvents.push({ runId: this.#run.id, level, message, recordId, at });
    this.#s.emit({
      type: 'run-log',
      runId: this.#run.id,
      crmSource: this.#crm,
      syncType: this.#entityName,
      level,
      message,
      recordId,
      at,
    });
  }

  /** Heartbeat, counts, checkpoint and pending log lines, written one at a time in order. */
  #persist(): Promise<void> {
    const events = this.#pendingEvents.splice(0);
    const update = {
      counts: { ...this.#counts },
      checkpoint: this.#checkpoint,
      highWaterMark: this.#highWater,
      heartbeatAt: new Date(),
    };
    this.#persisting = this.#persisting
      .then(async () => {
        if (events.length) await this.#s.store.appendEvents(events);
        await this.#s.store.updateRunProgress(this.#run.id, update);
      })
      .catch((error: unknown) =>
        this.#s.logger.warn(
          `could not save progress of run ${this.#run.id}: ${errorMessage(error)}`,
        ),
      );
    return this.#persisting;
  }

  #progress(force: boolean) {
    const now = performance.now();
    if (!force && now - this.#lastProgressAt < this.#s.progressIntervalMs) return;
    this.#lastProgressAt = now;
    const seconds = (now - this.#started) / 1000;
    this.#s.emit({
      type: 'run-progress',
      runId: this.#run.id,
      crmSource: this.#crm,
      syncType: this.#entityName,
      counts: { ...this.#counts },
      estimatedTotal: this.#estimatedTotal,
      recordsPerSecond: seconds > 0 ? this.#counts.processed / seconds : 0,
      pages: this.#pages,
      at: new Date(),
    });
  }

  #performance(): PerformanceMetrics {
    this.#sampleRss(true);
    const durationMs = performance.now() - this.#started;
    return {
      ...this.#metrics,
      durationMs: Math.round(durationMs),
      recordsPerSecond:
        durationMs > 0 ? Math.round((this.#counts.processed / durationMs) * 1000 * 10) / 10 : 0,
      pages: this.#pages,
      peakRssBytes: this.#peakRss,
      fetchMs: Math.round(this.#fetchMs),
      writeMs: Math.round(this.#writeMs),
      ...(this.#warnings > 0 && { validationWarnings: this.#warnings }),
    };
  }

  async #finish(outcome: {
    status: 'success' | 'partial' | 'failed';
    error?: unknown;
  }): Promise<SyncRun> {
    const { store } = this.#s;
    let errorKind = null;
    let message = null;
    if (outcome.status === 'failed') {
      errorKind = classifyError(outcome.error, this.#abort.signal);
      message = errorMessage(outcome.error);
      // The plugin may have thrown its own AbortError at the signal: the reason is ours.
      if (errorKind === 'cancelled' && !message.startsWith('cancelled'))
        message = this.#abort.signal.aborted ? this.#cancelMessage() : `cancelled: ${message}`;
      // Say which CRM and entity; a cancelled run's message still starts with "cancelled:".
      if (!message.includes(this.#crm))
        message =
          errorKind === 'cancelled'
            ? `${message} (${this.#crm} ${this.#entityName})`
            : `${this.#crm} ${this.#entityName}: ${message}`;
      this.#log('error', message);
    }
    this.#progress(true);
    await this.#persist();
    let finished: SyncRun;
    try {
      finished = await store.finishRun(this.#run.id, {
        status: outcome.status,
        counts: { ...this.#counts },
        errorMessage: message,
        errorKind,
        performanceMetrics: this.#performance(),
        highWaterMark: this.#highWater,
        // A failed run keeps its checkpoint so the next run can resume from it.
        checkpoint: outcome.status === 'failed' ? this.#checkpoint : null,
      });
    } catch (error) {
      this.#s.logger.error(
        `could not finish run ${this.#run.id} of ${this.#crm} ${this.#entityName}: ${errorMessage(error)}; it will be reaped as interrupted`,
      );
      finished = {
        ...this.#run,
        status: outcome.status,
        counts: { ...this.#counts },
        errorMessage: message,
        errorKind,
        endTime: new Date(),
      };
    }
    this.#s.emit({ type: 'run-finished', run: finished });
    return finished;
  }
}
