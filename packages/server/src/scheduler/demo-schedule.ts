import type { SyncSchedule } from '../store/index.js';
import type { Crmsync } from '../app.js';
import type { Scheduler } from './start-scheduler.js';

/**
 * On a fresh database (no schedules, no runs) with the zero-config faker CRM installed,
 * schedules `faker all` every 2 minutes, so a first `crmsync start` shows scheduled runs
 * arriving on their own. Returns the new schedule, or null when there was nothing to do.
 */
export async function ensureDemoSchedule(
  app: Crmsync,
  scheduler: Pick<Scheduler, 'service'>,
): Promise<SyncSchedule | null> {
  const faker = app.plugins.find((p) => p.plugin.name === 'faker' && p.configured);
  if (!faker) return null;
  if ((await app.store.prisma.syncSchedule.count()) > 0) return null;
  if ((await app.history({ limit: 1 })).length > 0) return null;
  return scheduler.service.create({ crmSource: 'faker', syncType: 'all', interval: '2 minutes' });
}
