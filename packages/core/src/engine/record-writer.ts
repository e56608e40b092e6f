import { CrmsyncError } from '../contracts/errors.js';
import type { RecordWrite, UpsertOptions, UpsertResult } from '../contracts/store.js';
import { errorMessage } from './classify.js';
import type { RunContext } from './run-context.js';

/** A store error that retries did not cure: the run fails, no record is counted. */
const isStoreDown = (error: unknown): boolean =>
  error instanceof CrmsyncError && error.kind === 'store';

function count(ctx: RunContext, result: UpsertResult) {
  ctx.counts.created += result.created;
  ctx.counts.updated += result.updated;
  ctx.counts.unchanged += result.unchanged + result.keptNewer;
}

/**
 * Writes one prepared batch in one store call; a batch the store refuses is written record by
 * record so one bad record fails alone. A store that stays down fails the run.
 */
export async function writeBatch(ctx: RunContext, batch: RecordWrite[]) {
  if (ctx.in.options.dryRun) return;
  const started = performance.now();
  const options: UpsertOptions = { runId: ctx.run.id, policy: ctx.plan.policy };
  const upsert = (records: RecordWrite[]) =>
    ctx.storeCall(`writing ${records.length} record(s)`, () =>
      ctx.s.store.upsertRecords(ctx.crm, ctx.entityName, records, options),
    );
  try {
    let batchError: unknown;
    try {
      count(ctx, await upsert(batch));
      return;
    } catch (error) {
      // A store that stayed down fails the run; only a refused record is written alone.
      if (isStoreDown(error)) throw error;
      batchError = error;
    }
    // One bad record must fail alone: write the batch one by one.
    ctx.log(
      'warn',
      `batch of ${batch.length} failed (${errorMessage(batchError)}); writing its records one by one`,
    );
    let failures = 0;
    for (const record of batch) {
      try {
        count(ctx, await upsert([record]));
      } catch (error) {
        if (isStoreDown(error)) throw error;
        failures++;
        ctx.recordFailure(
          record.externalId,
          `${ctx.crm} ${ctx.entityName} record ${record.externalId} could not be written: ${errorMessage(error)}`,
        );
      }
    }
    if (batch.length > 1 && failures === batch.length) {
      throw new CrmsyncError(
        'system',
        `${ctx.crm} ${ctx.entityName}: the store refused every record of a batch: ${errorMessage(batchError)}`,
        {
          crm: ctx.crm,
          entity: ctx.entityName,
        },
        { cause: batchError },
      );
    }
  } finally {
    ctx.telemetry.writeMs += performance.now() - started;
  }
}
