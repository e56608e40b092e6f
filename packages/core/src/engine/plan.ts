import type { DeltaSpec, SyncMode } from '../contracts/plugin.js';
import type { SyncOptions, SyncRun } from '../contracts/run.js';
import type { Store, UpsertOptions } from '../contracts/store.js';

export const DEFAULT_DELTA_OVERLAP_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export interface RunPlan {
  mode: SyncMode;
  /** Lower bound of remote change time handed to the plugin (inclusive). */
  since?: Date;
  /** Upper bound (exclusive): the day after `--end-date`, so that day is included. */
  until?: Date;
  policy: UpsertOptions['policy'];
  /** Why this strategy was chosen, for the run's log. */
  reason: string;
}

export interface PlanInput {
  delta: DeltaSpec;
  options: SyncOptions;
  /** Newest `success`/`partial` non-dry run of this (crm, entity). */
  lastSuccessfulRun: SyncRun | null;
  overlapMs?: number;
}

/**
 * The strategy rules, first match wins: `--start-date` → `--force` → `--full` → a delta from
 * the last successful run → an initial full read. The delta starts at that run's **start**
 * time minus the overlap (a record changed while that run was fetching would otherwise be
 * missed forever); a trailing-window entity also re-reads its window before that.
 */
export function planRun(input: PlanInput): RunPlan {
  const { options, delta } = input;
  const until = options.endDate ? new Date(options.endDate.getTime() + DAY_MS) : undefined;
  const withUntil = (plan: RunPlan): RunPlan => (until ? { ...plan, until } : plan);
  if (options.startDate) {
    return withUntil({
      mode: 'start-date',
      since: options.startDate,
      policy: 'overwrite',
      reason: `--start-date ${options.startDate.toISOString().slice(0, 10)}`,
    });
  }
  if (options.force)
    return withUntil({
      mode: 'force',
      policy: 'overwrite',
      reason: '--force: read everything and overwrite',
    });
  if (options.full)
    return withUntil({
      mode: 'full',
      policy: 'keep-newer',
      reason: '--full: read everything, keep newer local rows',
    });
  const last = input.lastSuccessfulRun;
  if (last) {
    const overlap = input.overlapMs ?? DEFAULT_DELTA_OVERLAP_MS;
    const window = trailingWindowMs(delta, options.pluginOptions);
    const since = new Date(last.startTime.getTime() - overlap - window);
    const what =
      delta.kind === 'none'
        ? 'read everything, skip unchanged rows by hash'
        : `changes since the last successful run ${last.id} started (${last.startTime.toISOString()}) minus ${Math.round(overlap / 1000)} s overlap${window ? ` and a ${Math.round(window / 3_600_000)} h trailing window` : ''}`;
    return withUntil({ mode: 'delta', since, policy: 'overwrite', reason: `delta: ${what}` });
  }
  return withUntil({
    mode: 'full',
    policy: 'overwrite',
    reason: 'initial full sync: no successful run yet',
  });
}

/** How far before the delta start a run re-reads: the plugin option's days when set, else `windowMs`. */
function trailingWindowMs(delta: DeltaSpec, pluginOptions: Record<string, unknown> = {}): number {
  if (delta.kind !== 'trailing-window') return 0;
  const days = delta.windowOption ? Number(pluginOptions[delta.windowOption]) : Number.NaN;
  return days > 0 ? days * DAY_MS : delta.windowMs;
}

/** Whether an interrupted run's checkpoint can be used by a run with this plan. */
export function canResume(previous: SyncRun | null, plan: RunPlan): previous is SyncRun {
  if (previous?.status !== 'failed' || !previous.checkpoint) return false;
  if (previous.errorKind === 'auth' || previous.errorKind === 'config') return false;
  return (
    previous.mode === plan.mode &&
    (previous.sinceTime?.getTime() ?? null) === (plan.since?.getTime() ?? null)
  );
}

/**
 * Whether a run saw every change up to its start: a run cut short by `--max-records` or
 * bounded by `--end-date` did not, so the next delta must not start from it.
 */
export function readEverythingUntilStart(run: SyncRun): boolean {
  const webhook = run.configuration.webhook as { ids?: number } | undefined;
  return (
    run.configuration.maxRecords === undefined &&
    run.configuration.endDate === undefined &&
    webhook?.ids === undefined
  );
}

/**
 * The run a delta starts from: the newest successful (or partial), non-dry run that read
 * every change up to its start. None → an initial full read.
 */
export async function findDeltaBase(
  store: Pick<Store, 'lastSuccessfulRun' | 'listRuns'>,
  crmSource: string,
  syncType: string,
): Promise<SyncRun | null> {
  const last = await store.lastSuccessfulRun(crmSource, syncType);
  if (!last || readEverythingUntilStart(last)) return last;
  const recent = await store.listRuns({ crmSource, syncType, limit: 200 });
  return (
    recent.find(
      (r) =>
        !r.dryRun &&
        (r.status === 'success' || r.status === 'partial') &&
        readEverythingUntilStart(r),
    ) ?? null
  );
}
