import { randomUUID } from 'node:crypto';
import { InputError } from '@crmsync/core';
import {
  checkInterval,
  checkTiming,
  type TimingCheck,
  timingError,
} from '@crmsync/core/schedule-timing';
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

/** The InputError of a refused timing, its message giving the reason (the field and what was expected too). */
function timingInputError(check: Extract<TimingCheck, { ok: false }>, value: unknown): InputError {
  const error = new InputError(check.field, check.expected, value);
  error.message = timingError(check);
  return error;
}

function checked(when: { interval?: string | null; cron?: string | null }) {
  const check = checkTiming(when);
  if (!check.ok) throw timingInputError(check, check.field === 'cron' ? when.cron : when.interval);
  return check;
}

function checkedInterval(interval: string) {
  const check = checkInterval(interval);
  if (!check.ok) throw timingInputError(check, interval);
  return check;
}

/** Milliseconds of an interval such as `15 minutes` or `15m`; throws InputError otherwise. */
export function parseInterval(interval: string): number {
  return checkedInterval(interval).intervalMs!;
}

/** An interval as it is stored and shown: `15m` → `15 minutes`, `1 hrs` → `1 hour`. */
export function normalizeInterval(interval: string): string {
  return checkedInterval(interval).normalized;
}

/** The stored timing and the next run, for exactly one valid interval or cron expression. */
function timing(interval: string | null | undefined, cron: string | null | undefined) {
  const check = checked({ interval: interval ?? null, cron: cron ?? null });
  return {
    interval: check.kind === 'interval' ? check.normalized : null,
    cron: check.kind === 'cron' ? check.normalized : null,
    nextRun: check.nextRun,
  };
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
    // The same sync (options too) on the same timing twice would run it twice: refused, naming the other.
    const options = input.options ?? {};
    const twins = await this.#prisma.syncSchedule.findMany({
      where: {
        crmSource: input.crmSource,
        syncType: input.syncType,
        interval: when.interval,
        cron: when.cron,
      },
      select: { id: true, options: true },
    });
    const twin = twins.find((row) => sameJson(row.options, options));
    if (twin) {
      const every = when.interval ? `every ${when.interval}` : `on cron "${when.cron}"`;
      throw new InputError(
        'schedule',
        `no second schedule of ${input.crmSource} ${input.syncType} ${every} (schedule ${twin.id} already does it)`,
        { crm: input.crmSource, entity: input.syncType, interval: when.interval, cron: when.cron },
      );
    }
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
    const nextRun = checked({ interval: current.interval, cron: current.cron }).nextRun;
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

/** Equal JSON values, whatever the order of object keys. */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>)
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([k, v]) => [k, canonical(v)]),
          )
        : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
