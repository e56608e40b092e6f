import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type * as Playwright from 'playwright-core';
import {
  createApiRuntime,
  noSyncs,
  type RuntimeEngine,
} from '../../packages/server/src/api/runtime.js';
import { startApiServer } from '../../packages/server/src/api/server.js';
import {
  createDashboardHandler,
  findDashboardDir,
} from '../../packages/server/src/dashboard/index.js';
import { openStore } from '../../packages/server/src/store/index.js';
import { createSqliteTestDatabase } from '../../packages/server/src/store/test-databases.js';
import type { BenchSuite } from '../lib.js';
import { benchPlugins, fillHistory } from './api.bench.js';

// The dashboard's overview in headless Chromium against a sync_history of 1,000,000 runs
// (BENCH_QUICK=1: 50,000): time to the first contentful paint and to full data (cards, CRM
// status, charts and health all rendered), and the JavaScript the overview loads, gzipped.

const uiRequire = createRequire(new URL('../../packages/ui/package.json', import.meta.url));
const { chromium } = uiRequire('playwright-core') as typeof Playwright;

const idleEngine: RuntimeEngine = {
  subscribe: () => () => {},
  syncs: noSyncs('the UI bench starts no sync'),
};

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const suite: BenchSuite = {
  name: 'ui',
  async run(ctx) {
    const dashboardDir = await findDashboardDir();
    if (!dashboardDir)
      throw new Error('the dashboard is not built: pnpm --filter @crmsync/ui build');
    const rows = ctx.quick ? 50_000 : 1_000_000;
    const db = createSqliteTestDatabase();
    const store = await openStore({ databaseUrl: db.url });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      ctx.log(`filling sync_history with ${rows.toLocaleString('en-US')} runs`);
      await fillHistory(store, rows, Date.now());
      const plugins = benchPlugins().map((plugin) => ({ plugin, config: {}, configured: true }));
      const runtime = createApiRuntime({ store, plugins, engine: idleEngine });
      const api = await startApiServer({
        runtime,
        port: 0,
        apiToken: null,
        extraHandler: createDashboardHandler({ runtime, dashboardDir, apiToken: null }),
      });
      const base = api.url.replace(/\/graphql$/, '');
      const paints: number[] = [];
      const full: number[] = [];
      let jsGzipBytes = 0;
      for (let round = 0; round < (ctx.quick ? 3 : 7); round++) {
        const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
        const js = new Map<string, number>();
        page.on('response', async (res) => {
          if (res.url().endsWith('.js')) js.set(res.url(), gzipSync(await res.body()).length);
        });
        await page.goto(`${base}/`);
        await page.getByTestId('active-runs').waitFor();
        await page.getByText('System health').waitFor();
        await page.locator('canvas').first().waitFor();
        const timing = await page.evaluate(() => ({
          fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
          full: performance.now(),
        }));
        paints.push(timing.fcp);
        full.push(timing.full);
        jsGzipBytes = [...js.values()].reduce((a, b) => a + b, 0);
        await page.close();
      }
      await api.close();
      const label = `${rows.toLocaleString('en-US')} history rows, SQLite`;
      ctx.report({
        suite: 'ui',
        name: `overview first contentful paint (${label})`,
        value: median(paints),
        unit: 'ms',
        goal: '< 1000 ms',
        met: median(paints) < 1000,
      });
      ctx.report({
        suite: 'ui',
        name: `overview with full data (${label})`,
        value: median(full),
        unit: 'ms',
        goal: '< 2000 ms',
        met: median(full) < 2000,
      });
      ctx.report({
        suite: 'ui',
        name: 'JavaScript loaded by the overview (gzipped)',
        value: jsGzipBytes / 1024,
        unit: 'KB',
        goal: '< 200 KB',
        met: jsGzipBytes / 1024 < 200,
      });
    } finally {
      await browser.close();
      await store.close();
      await db.drop();
    }
  },
};

export default suite;
