// crmsync as a library: the same object the CLI is built on.
import { createCrmsync } from '@crmsync/server';

const crmsync = await createCrmsync(); // plugins: discovered; database: DATABASE_URL or ./.crmsync/
try {
  for (const plugin of await crmsync.listPlugins())
    console.log(
      `${plugin.name}: ${plugin.configured ? 'configured' : `set ${plugin.missing.join(', ')}`}`,
    );
  const runs = await crmsync.sync('faker', 'contacts', { maxRecords: 100 });
  for (const run of runs)
    console.log(`${run.crmSource} ${run.syncType}: ${run.status}, ${run.counts.processed} records`);
  process.exitCode = runs.every((r) => r.status === 'success') ? 0 : 1;
} finally {
  await crmsync.close();
}
