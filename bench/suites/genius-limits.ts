import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type mysqlTypes from 'mysql2';
import { type BenchLimit, peakRssGrowth, runInChild } from '../lib.js';

// What the Genius figures of plugins.bench.ts and genius-scale.bench.ts are measured against:
// MariaDB's own read of the change-orders table, and the peak RSS of the plugin's stream.
// The driver is the Genius package's dependency, not the workspace root's.
const geniusRequire = createRequire(
  new URL('../../packages/plugin-genius/package.json', import.meta.url),
);
const mysql = geniusRequire('mysql2') as typeof mysqlTypes;

/** MariaDB's raw read rate: one plain SELECT of the whole table, rows streamed by the driver. */
export async function rawStreamedSelect(url: string): Promise<{ rows: number; seconds: number }> {
  const conn = mysql.createConnection({ uri: url, dateStrings: true });
  const started = performance.now();
  let rows = 0;
  await new Promise<void>((resolve, reject) => {
    conn
      .query('SELECT * FROM job_change_order')
      .stream()
      .on('data', () => {
        rows++;
      })
      .on('end', () => resolve())
      .on('error', reject);
  });
  await new Promise<void>((resolve) => conn.end(() => resolve()));
  return { rows, seconds: (performance.now() - started) / 1000 };
}

/**
 * Peak RSS of an engine `--dry-run` of `small` and then `big` change orders, each in its own
 * child process: the growth between the two in MB, and both peaks as the figure's limits.
 */
export async function dryRunRssGrowth(
  args: { url: string; timeZone: string; batchSize: number },
  small: number,
  big: number,
): Promise<{ growth: number; limits: BenchLimit[] }> {
  const child = fileURLToPath(
    new URL('../../packages/plugin-genius/bench/stream-child.ts', import.meta.url),
  );
  const few = await runInChild<{ count: number }>(child, { ...args, rows: small });
  const many = await runInChild<{ count: number }>(child, { ...args, rows: big });
  if (few.result.count !== small || many.result.count !== big)
    throw new Error('child read the wrong number of rows');
  return peakRssGrowth(few, many, small, big);
}
