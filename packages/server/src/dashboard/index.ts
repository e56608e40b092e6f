export { createDashboardHandler, type DashboardOptions } from './handler.js';

/** The built dashboard shipped by `@crmsync/ui`, or null when it is not installed or not built. */
export async function findDashboardDir(): Promise<string | null> {
  try {
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const ui = (await import('@crmsync/ui')) as { dashboardDir: string };
    return existsSync(join(ui.dashboardDir, 'index.html')) ? ui.dashboardDir : null;
  } catch {
    return null;
  }
}
