import type { Logger } from '@crmsync/core';
import type { Agenda } from 'agenda';
import {
  PrismaScheduleService,
  parseInterval,
  type ScheduleInput,
  type SchedulePatch,
  type ScheduleService,
} from '../schedules/schedule-service.js';
import type { PrismaClient, SyncSchedule } from '../store/index.js';
import { SYNC_JOB, type SyncJobData } from './sync-job.js';

const jobData = (row: SyncSchedule): SyncJobData => ({
  crm: row.crmSource,
  entity: row.syncType,
  options: (row.options ?? {}) as Record<string, unknown>,
  scheduleId: row.id,
});

/** What Agenda repeats on: milliseconds for an interval, the expression for a cron. */
const repeatOf = (row: SyncSchedule): string | number =>
  row.interval ? parseInterval(row.interval) : (row.cron as string);

/**
 * Schedules kept in `sync_schedule` (validated and written by `PrismaScheduleService`) and
 * mirrored into Agenda as one repeating `crmsync:sync` job each, found again by
 * `data.scheduleId`. Every mutation takes effect at once on every worker; the row's
 * `next_run` is the time Agenda computed.
 *
 * @example
 * const service = new AgendaScheduleService(store.prisma, agenda);
 * await service.create({ crmSource: 'faker', syncType: 'all', interval: '15 minutes' });
 */
export class AgendaScheduleService implements ScheduleService {
  readonly #prisma: PrismaClient;
  readonly #agenda: Agenda;
  readonly #rows: PrismaScheduleService;
  readonly #logger: Logger | undefined;

  constructor(prisma: PrismaClient, agenda: Agenda, logger?: Logger) {
    this.#prisma = prisma;
    this.#agenda = agenda;
    this.#rows = new PrismaScheduleService(prisma);
    this.#logger = logger;
  }

  async create(input: ScheduleInput): Promise<SyncSchedule> {
    return this.#mirror(await this.#rows.create(input));
  }

  async update(id: string, patch: SchedulePatch): Promise<SyncSchedule> {
    return this.#mirror(await this.#rows.update(id, patch));
  }

  async pause(id: string, reason?: string | null): Promise<SyncSchedule> {
    await this.#rows.pause(id, reason);
    await this.#agenda.disable({ name: SYNC_JOB, data: { scheduleId: id } });
    return this.#prisma.syncSchedule.update({ where: { id }, data: { nextRun: null } });
  }

  async resume(id: string): Promise<SyncSchedule> {
    return this.#mirror(await this.#rows.resume(id));
  }

  async delete(id: string): Promise<SyncSchedule> {
    const row = await this.#rows.delete(id);
    await this.#agenda.cancel({ name: SYNC_JOB, data: { scheduleId: id } });
    return row;
  }

  /** Pauses every enabled schedule of a CRM (e.g. its credentials were rejected). */
  async pauseCrm(crm: string, reason: string): Promise<SyncSchedule[]> {
    const rows = await this.#prisma.syncSchedule.findMany({
      where: { crmSource: crm, enabled: true },
    });
    return Promise.all(rows.map((row) => this.pause(row.id, reason)));
  }

  /**
   * Brings Agenda in line with `sync_schedule` (on start: rows written while no scheduler
   * ran, by `crmsync schedule` or an API without one). A job whose definition already matches
   * keeps its next run; jobs of deleted schedules and duplicates are removed.
   */
  async mirrorAll(): Promise<{ created: number; kept: number; removed: number }> {
    const rows = await this.#prisma.syncSchedule.findMany();
    const { jobs } = await this.#agenda.queryJobs({ name: SYNC_JOB });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const seen = new Set<string>();
    let removed = 0;
    let kept = 0;
    for (const job of jobs) {
      const id = (job.data as Partial<SyncJobData> | null)?.scheduleId;
      if (!id) continue;
      const row = byId.get(id);
      if (!row || seen.has(id)) {
        removed += await this.#agenda.cancel({ id: String(job._id) });
        continue;
      }
      seen.add(id);
      const same =
        JSON.stringify(job.data) === JSON.stringify(jobData(row)) &&
        String(job.repeatInterval) === String(repeatOf(row)) &&
        Boolean(job.disabled) === !row.enabled;
      if (same) {
        kept++;
        await this.#prisma.syncSchedule.update({
          where: { id },
          data: { nextRun: row.enabled ? (job.nextRunAt ?? null) : null },
        });
      } else {
        seen.delete(id);
      }
    }
    let created = 0;
    for (const row of rows) {
      if (seen.has(row.id)) continue;
      await this.#mirror(row);
      created++;
    }
    this.#logger?.debug(`schedules mirrored into Agenda`, { created, kept, removed });
    return { created, kept, removed };
  }

  /** Upserts the row's Agenda job (unique on data.scheduleId) and stores its next run. */
  async #mirror(row: SyncSchedule): Promise<SyncSchedule> {
    const job = this.#agenda
      .create<SyncJobData>(SYNC_JOB, jobData(row))
      .unique({ 'data.scheduleId': row.id })
      .repeatEvery(repeatOf(row), { skipImmediate: true });
    if (!row.enabled) job.disable();
    await job.save();
    return this.#prisma.syncSchedule.update({
      where: { id: row.id },
      data: { nextRun: row.enabled ? (job.attrs.nextRunAt ?? null) : null },
    });
  }
}
