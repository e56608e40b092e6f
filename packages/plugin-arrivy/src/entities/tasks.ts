import {
  createDefaultProcessor,
  defineEntity,
  type EntityDefinition,
  type FetchRequest,
  type FieldSchema,
} from '@crmsync/core';
import { z } from 'zod';
import { type ArrivyClient, type ArrivyRecord, arrivyPages } from '../client.js';
import { PAGE_SIZE } from './lists.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Plugin options of the tasks read (also `task_statuses`, which reads the same tasks). */
export const TASK_OPTION_DEFAULTS = {
  'window-back-days': 30,
  'window-ahead-days': 365,
  'full-read-hours': 24,
};

/** The clock the tasks read plans with (tests move it). */
export const arrivyClock = { now: () => Date.now() };

/** `2016-10-14T08:00:00+00:00`: ISO 8601 with an offset, to the second, as Arrivy's docs write it. */
export function arrivyTime(ms: number, round: 'down' | 'up' = 'down'): string {
  const s = round === 'down' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
  return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

const timeOf = (value: unknown): number =>
  typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;

/** The three pulls a whole read of tasks needs: by schedule window, unscheduled, undated. */
const PULLS = ['scheduled', 'unscheduled', 'undated'] as const;

/** The read's plan, pinned in every checkpoint so a resumed read asks the same window. */
const plan = z.strictObject({
  from: z.string(),
  to: z.string(),
  /** Every task (a full read, or the periodic one), not only those updated since. */
  whole: z.boolean(),
});
type Plan = z.infer<typeof plan>;

const option = (request: FetchRequest, name: keyof typeof TASK_OPTION_DEFAULTS): number => {
  const value = request.options[name];
  return typeof value === 'number' ? value : TASK_OPTION_DEFAULTS[name];
};

/**
 * What a tasks read asks. Arrivy selects tasks by **schedule** time (`from`/`to`), never by
 * modification, so: a full read takes every schedule window from `ARRIVY_HISTORY_START` to ten
 * years ahead plus the unscheduled and undated pulls; a delta takes the window from
 * `window-back-days` before now (or the since, when earlier) to `window-ahead-days` ahead plus
 * the two other pulls, and keeps the tasks whose `updated` is in [since, until). An edit to a
 * task scheduled outside that window is caught by the periodic whole read: the first delta in
 * each `full-read-hours` period (counted from the epoch, UTC) reads every task.
 */
export function planTasks(client: ArrivyClient, request: FetchRequest): Plan {
  const now = arrivyClock.now();
  const { since } = request;
  const period = option(request, 'full-read-hours') * HOUR;
  // Only a delta: `--start-date` asks exactly the changes since a day.
  const periodic =
    request.mode === 'delta' &&
    since !== undefined &&
    period > 0 &&
    Math.floor(since.getTime() / period) !== Math.floor(now / period);
  const whole = since === undefined || periodic;
  const from = whole
    ? client.historyStart.getTime()
    : Math.min(since.getTime(), now - option(request, 'window-back-days') * DAY);
  const to = whole ? now + 3650 * DAY : now + option(request, 'window-ahead-days') * DAY;
  return { from: arrivyTime(from), to: arrivyTime(to, 'up'), whole };
}

/** Whether a task belongs in the read: updated in [since, until) (since only when not whole). */
function wanted(task: ArrivyRecord, request: FetchRequest, whole: boolean): boolean {
  const at = timeOf(task.updated);
  if (!whole && request.since && !(at >= request.since.getTime())) return false;
  if (request.until && at >= request.until.getTime()) return false;
  return true;
}

/** The pages of the three pulls, from `pull`/`page` on. */
async function* taskPulls(
  client: ArrivyClient,
  request: FetchRequest,
  p: Plan,
  size: number,
  start: { pull: number; page: number } = { pull: 0, page: 1 },
) {
  const seen = new Set<string>();
  for (let pull = start.pull; pull < PULLS.length; pull++) {
    const kind = PULLS[pull];
    const query =
      kind === 'scheduled'
        ? { from: p.from, to: p.to }
        : kind === 'unscheduled'
          ? { unscheduled: 'true' }
          : { tasks_with_no_datetime: 'true' };
    const pages = arrivyPages(client, '/tasks', query, {
      size,
      startPage: pull === start.pull ? start.page : 1,
      signal: request.signal,
      logger: request.logger,
    });
    for await (const page of pages) {
      // A task can be in two pulls (scheduled and unscheduled as it moves): once per read.
      const fresh = page.records.filter((t) => !seen.has(String(t.id)));
      for (const t of fresh) seen.add(String(t.id));
      yield { records: fresh.filter((t) => wanted(t, request, p.whole)), pull, next: page.next };
    }
  }
}

const tasksCheckpoint = plan.extend({
  pull: z.number().int().min(0).max(2),
  page: z.number().int().min(1),
});
type TasksCheckpoint = z.infer<typeof tasksCheckpoint>;

const taskFields: FieldSchema = {
  id: { type: 'integer', required: true },
  url_safe_id: { type: 'string' },
  title: { type: 'string' },
  details: { type: 'text' },
  start_datetime: { type: 'datetime' },
  end_datetime: { type: 'datetime' },
  start_datetime_original_iso_str: { type: 'string' },
  end_datetime_original_iso_str: { type: 'string' },
  status: { type: 'string' },
  status_title: { type: 'string' },
  entity_ids: { type: 'json' },
  crew_ids: { type: 'json' },
  customer_id: { type: 'integer' },
  customer_first_name: { type: 'string' },
  customer_last_name: { type: 'string' },
  customer_email: { type: 'email' },
  customer_mobile_number: { type: 'phone' },
  customer_address_line_1: { type: 'string' },
  customer_city: { type: 'string' },
  customer_state: { type: 'string' },
  customer_zipcode: { type: 'string' },
  customer_exact_location: { type: 'json' },
  extra_fields: { type: 'json' },
  group_id: { type: 'integer' },
  external_id: { type: 'string' },
  unscheduled: { type: 'boolean' },
  created: { type: 'datetime' },
  updated: { type: 'datetime', required: true },
};

function withExtraFields<C, Cp extends Record<string, unknown>>(
  entity: EntityDefinition<C, ArrivyRecord, Cp>,
): EntityDefinition<C, ArrivyRecord, Cp> {
  const base = createDefaultProcessor(entity as EntityDefinition<unknown, ArrivyRecord>, 'arrivy');
  entity.processor = {
    transform(raw) {
      const record = base.transform(raw);
      const extra = raw.extra_fields;
      if (extra && typeof extra === 'object' && !Array.isArray(extra))
        for (const [key, value] of Object.entries(extra)) record.data[`extra_${key}`] = value;
      return record;
    },
    validate: (record, context) => base.validate(record, context),
  };
  return entity;
}

export const tasks = defineEntity<ArrivyClient, ArrivyRecord, TasksCheckpoint>(
  withExtraFields({
    name: 'tasks',
    displayName: 'Tasks',
    description:
      'Jobs scheduled for crews. Selected by schedule time: a delta reads a window around now and filters on updated; a periodic whole read catches the rest',
    primaryKey: 'id',
    delta: { kind: 'updated-since', field: 'updated' },
    // Arrivy reports no removals: a complete whole read soft-deletes the tasks it did not see.
    fullReadDetectsDeletes: true,
    pageSize: PAGE_SIZE,
    checkpoint: tasksCheckpoint,
    fields: taskFields,
    updatedAtField: 'updated',
    createdAtField: 'created',
    dependsOn: ['entities', 'groups', 'crews', 'statuses'],
    async *fetch(client, request) {
      const resume = request.checkpoint;
      const p: Plan = resume
        ? { from: resume.from, to: resume.to, whole: resume.whole }
        : planTasks(client, request);
      const size = Math.min(request.batchSize, PAGE_SIZE.max);
      for await (const page of taskPulls(client, request, p, size, resume)) {
        yield { records: page.records, checkpoint: { ...p, pull: page.pull, page: page.next } };
      }
    },
  }),
);

const statusesCheckpoint = plan.extend({
  /** The task whose statuses were being read, and the next page of them. */
  task: z.number().int(),
  page: z.number().int().min(1),
});
type StatusesCheckpoint = z.infer<typeof statusesCheckpoint>;

/** Task status entries: documented default page 100. */
export const STATUS_PAGE_SIZE = { default: 100, max: 500 };

/**
 * The status history of each task (`GET /tasks/{id}/status`), for the tasks this run sees
 * changed: the same pulls and `updated` filter as the tasks delta (every task on a full read;
 * on a delta's periodic whole read, the tasks changed in the past period, wherever they are
 * scheduled), then each task's entries, keeping those whose `time` is in the read's bounds. Tasks
 * are visited in id order, so a resumed read goes on from the task and page it stopped at.
 */
export const taskStatuses = defineEntity<ArrivyClient, ArrivyRecord, StatusesCheckpoint>({
  name: 'task_statuses',
  displayName: 'Task statuses',
  description: 'The status history of each task a run saw changed (a child of tasks)',
  primaryKey: 'id',
  delta: { kind: 'created-since', field: 'time' },
  pageSize: STATUS_PAGE_SIZE,
  checkpoint: statusesCheckpoint,
  createdAtField: 'time',
  dependsOn: ['tasks'],
  fields: {
    id: { type: 'integer', required: true },
    task_id: { type: 'integer', required: true },
    type: { type: 'string', required: true },
    time: { type: 'datetime', required: true },
    reporter_name: { type: 'string' },
    reporter_id: { type: 'integer' },
    source: { type: 'string' },
    extra_fields: { type: 'json' },
  },
  async *fetch(client, request) {
    const resume = request.checkpoint;
    const p: Plan = resume
      ? { from: resume.from, to: resume.to, whole: resume.whole }
      : planTasks(client, request);
    // The periodic whole read of a delta looks at every task, but only those changed in the
    // past period can have new entries: one status request per task of the account would not.
    const from =
      p.whole && request.since
        ? request.since.getTime() - option(request, 'full-read-hours') * HOUR
        : undefined;
    const ids: number[] = [];
    for await (const page of taskPulls(client, request, p, PAGE_SIZE.default))
      for (const t of page.records)
        if (from === undefined || timeOf(t.updated) >= from) ids.push(Number(t.id));
    ids.sort((a, b) => a - b);
    const size = Math.min(request.batchSize, STATUS_PAGE_SIZE.max);
    for (const id of ids) {
      if (resume && id < resume.task) continue;
      const pages = arrivyPages(
        client,
        `/tasks/${id}/status`,
        {},
        {
          size,
          startPage: resume && id === resume.task ? resume.page : 1,
          signal: request.signal,
          logger: request.logger,
        },
      );
      for await (const page of pages) {
        const records = page.records
          .filter((entry) => {
            const at = timeOf(entry.time);
            if (!p.whole && request.since && !(at >= request.since.getTime())) return false;
            if (from !== undefined && !(at >= from)) return false;
            return !(request.until && at >= request.until.getTime());
          })
          .map((entry) => ({ ...entry, task_id: id }));
        yield { records, checkpoint: { ...p, task: id, page: page.next } };
      }
    }
  },
});
