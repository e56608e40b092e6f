import { randomUUID } from 'node:crypto';
import { InputError } from '@crmsync/core';
import type { Prisma, PrismaClient, SyncSchedule } from '../store/index.js';
import { NotFoundError } from '../errors.js';

export interface ScheduleInput {
  crmSource: string;
  /** An entity name, or `all`. */
  syncType: string;
  /** e.g. `15 minutes`; exactly one of interval and cron. */
  interval?: string | null;
  cron?: string | null;
  options?: Record<string, unknown>;
  enabled?: boolean;
}

export type SchedulePatch = Partial<Omit<ScheduleInput, 'crmSource' | 'syncType'>>;

/**
 * What the API's schedule mutations need. `PrismaScheduleService` writes `sync_schedule`
 * directly; the scheduler replaces it with one that also (re)registers its Agenda jobs.
 */
export interface ScheduleService {
  create(input: ScheduleInput): Promise<SyncSchedule>;
  update(id: string, patch: SchedulePatch): Promise<SyncSchedule>;
  pause(id: string, reason?: string | null): Promise<SyncSchedule>;
  resume(id: string): Promise<SyncSchedule>;
  delete(id: string): Promise<SyncSchedule>;
}

/** `15 minutes`, `15 min`, `15m`, `2 hours`, `2h`, `1 day`, `1d` (`m` is minutes, not months). */
const INTERVAL = /^(\d+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)$/i;
const UNITS: Record<string, { name: string; ms: number }> = {
  s: { name: 'second', ms: 1_000 },
  m: { name: 'minute', ms: 60_000 },
  h: { name: 'hour', ms: 3_600_000 },
  d: { name: 'day', ms: 86_400_000 },
};
const MIN_INTERVAL_MS = 60_000;

function readInterval(interval: string): { count: number; unit: { name: string; ms: number } } {
  const match = INTERVAL.exec(interval.trim());
  const count = match ? Number(match[1]) : 0;
  const unit = match ? UNITS[match[2]!.charAt(0).toLowerCase()] : undefined;
  if (!unit || count * unit.ms < MIN_INTERVAL_MS) {
    throw new InputError(
      'interval',
      'a duration of at least 1 minute such as "15 minutes", "15m" or "2 hours"',
      interval,
    );
  }
  return { count, unit };
}

/** Milliseconds of an interval such as `15 minutes` or `15m`; throws InputError otherwise. */
export function parseInterval(interval: string): number {
  const { count, unit } = readInterval(interval);
  return count * unit.ms;
}

/** An interval as it is stored and shown: `15m` → `15 minutes`, `1 hrs` → `1 hour`. */
export function normalizeInterval(interval: string): string {
  const { count, unit } = readInterval(interval);
  return `${count} ${unit.name}${count === 1 ? '' : 's'}`;
}

function checkCron(cron: string): void {
  const parts = cron.trim().split(/\s+/);
  if (
    parts.length < 5 ||
    parts.length > 6 ||
    !parts.every((p) => /^[\d*/,\-A-Za-z?LW#]+$/.test(p))
  ) {
    throw new InputError('cron', 'a cron expression of 5 or 6 fields such as "*/15 * * * *"', cron);
  }
}

function timing(interval: string | null | undefined, cron: string | null | undefined) {
  const hasInterval = interval != null && interval !== '';
  const hasCron = cron != null && cron !== '';
  if (hasInterval === hasCron) {
    throw new InputError('interval', 'exactly one of interval and cron', { interval, cron });
  }
  if (hasInterval) {
    const ms = parseInterval(interval);
    return {
      interval: normalizeInterval(interval),
      cron: null,
      nextRun: new Date(Date.now() + ms),
    };
  }
  checkCron(cron as string);
  // The scheduler computes a cron schedule's next run when it registers the job.
  return { interval: null, cron: (cron as string).trim(), nextRun: null };
}

/**
 * Schedules as rows of `sync_schedule`, for a server without the scheduler in-process (the
 * scheduler picks the rows up when it starts).
 */
export class PrismaScheduleService implements ScheduleService {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  async create(input: ScheduleInput): Promise<SyncSchedule> {
    const when = timing(input.interval, input.cron);
    return this.#prisma.syncSchedule.create({
      data: {
        id: randomUUID(),
        crmSource: input.crmSource,
        syncType: input.syncType,
        ...when,
        options: (input.options ?? {}) as Prisma.InputJsonValue,
        enabled: input.enabled ?? true,
      },
    });
  }

  async update(id: string, patch: SchedulePatch): Promise<SyncSchedule> {
    const current = await this.#get(id);
    const timingChanged = patch.interval !== undefined || patch.cron !== undefined;
    const when = timingChanged
      ? timing(
          patch.interval !== undefined ? patch.interval : patch.cron ? null : current.interval,
          patch.cron !== undefined ? patch.cron : patch.interval ? null : current.cron,
        )
      : {};
    return this.#prisma.syncSchedule.update({
      where: { id },
      data: {
        ...when,
        ...(patch.options !== undefined && { options: patch.options as Prisma.InputJsonValue }),
        ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      },
    });
  }

  async pause(id: string, reason?: string | null): Promise<SyncSchedule> {
    await this.#get(id);
    return this.#prisma.syncSchedule.update({
      where: { id },
      data: { enabled: false, pausedReason: reason ?? 'paused through the API' },
    });
  }

  async resume(id: string): Promise<SyncSchedule> {
    const current = await this.#get(id);
    const nextRun = current.interval
      ? new Date(Date.now() + parseInterval(current.interval))
      : null;
    return this.#prisma.syncSchedule.update({
      where: { id },
      data: { enabled: true, pausedReason: null, nextRun },
    });
  }

  async delete(id: string): Promise<SyncSchedule> {
    await this.#get(id);
    return this.#prisma.syncSchedule.delete({ where: { id } });
  }

  async #get(id: string): Promise<SyncSchedule> {
    const row = await this.#prisma.syncSchedule.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('schedule', id);
    return row;
  }
}
