import type { Crmsync } from '../app.js';
import type { SyncSchedule } from '../store/index.js';
import type { Scheduler } from './start-scheduler.js';

/** The installed, configured plugin that declares itself sample data (`demo: true`), if any. */
export function demoPlugin(app: Pick<Crmsync, 'plugins'>): string | undefined {
  return app.plugins.find((p) => p.plugin.demo && p.configured)?.plugin.name;
}

/**
 * On a fresh database (no schedules, no runs) with a zero-config demo plugin installed,
 * schedules `<demo> all` every 2 minutes, so a first `crmsync start` shows scheduled runs
 * arriving on their own. Returns the new schedule, or null when there was nothing to do.
 */
export async function ensureDemoSchedule(
  app: Crmsync,
  scheduler: Pick<Scheduler, 'service'>,
): Promise<SyncSchedule | null> {
  const demo = demoPlugin(app);
  if (!demo) return null;
  if ((await app.store.prisma.syncSchedule.count()) > 0) return null;
  if ((await app.history({ limit: 1 })).length > 0) return null;
  return scheduler.service.create({ crmSource: demo, syncType: 'all', interval: '2 minutes' });
}
