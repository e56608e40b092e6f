import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Processor, ValidationContext } from '../contracts/processor.js';
import type { RecordWrite } from '../contracts/store.js';
import { hashContent } from '../hash.js';
import { errorMessage } from './classify.js';
import type { RunContext } from './run-context.js';

/** Records mapped between two turns of the event loop (see preparePage). */
const PREPARE_SLICE = 100;

export interface PreparedPage {
  batches: RecordWrite[][];
  highWater: Date | null;
}

/**
 * A page's records mapped, validated and hashed, in write batches (nothing written yet).
 * Every PREPARE_SLICE records it lets the event loop run, so the next page's request goes
 * out and its answer comes in while this page is mapped, however many turns the plugin's
 * client needs for that. A record that fails mapping or validation is counted and logged;
 * every kept id is added to `seen` (the deletion tracker's, when it tracks ids).
 */
export async function preparePage(
  ctx: RunContext,
  records: unknown[],
  processor: Processor,
  context: ValidationContext,
  seen: Set<string> | null,
): Promise<PreparedPage> {
  const batches: RecordWrite[][] = [];
  let batch: RecordWrite[] = [];
  let highWater: Date | null = null;
  let sliced = 0;
  for (const raw of records) {
    if (++sliced === PREPARE_SLICE) {
      sliced = 0;
      await yieldToLoop();
    }
    ctx.counts.processed++;
    let mapped: ReturnType<Processor['transform']>;
    try {
      mapped = processor.transform(raw);
    } catch (error) {
      ctx.recordFailure(
        null,
        `${ctx.crm} ${ctx.entityName}: record ${ctx.counts.processed} could not be mapped: ${errorMessage(error)}`,
      );
      continue;
    }
    const result = processor.validate(mapped, context);
    for (const w of result.warnings) ctx.telemetry.warn(w.message, w.recordId);
    if (!result.ok) {
      ctx.recordFailure(
        mapped.externalId,
        `${ctx.crm} ${ctx.entityName} record ${mapped.externalId} failed validation: ${result.errors.map((e) => e.message).join('; ')}`,
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
    if (batch.length >= ctx.s.writeBatchSize) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length > 0) batches.push(batch);
  return { batches, highWater };
}
