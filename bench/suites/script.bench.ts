import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeHubspot } from '../../packages/plugin-hubspot/src/fake-server/index.js';
import { type BenchContext, type BenchSuite, median } from '../lib.js';

// crmsync against the script a user would write by hand (issue 28), each as a whole process
// of its own, side by side in the same run against the same HubSpot fake (served by this
// process, every limit off):
// - the peer: bench/peers/hubspot-sdk-script.mjs, HubSpot's official SDK (`basicApi.getPage`,
//   100 a page, the base path pointed at the fake) + a better-sqlite3 upsert per page in a
//   transaction;
// - us: `crmsync sync hubspot contacts --full` into a fresh SQLite database.
// Wall time from spawn to exit and peak RSS (GNU time's %M) of each; rounds alternate the
// order; the figures are the medians of the per-round ratios.
// Then cold start: `node -e 0`, `crmsync --help`, `crmsync list`, and the time from spawning
// `crmsync sync` to its first request reaching the CRM, interleaved, medians.

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'packages/server/dist/cli/main.js');
const peer = fileURLToPath(new URL('../peers/hubspot-sdk-script.mjs', import.meta.url));
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

interface ProcessRun {
  seconds: number;
  /** Peak RSS in MB, or null where GNU time is not installed. */
  rssMb: number | null;
  stdout: string;
}

/** Runs `node args…` to its end; its wall time from spawn to exit and its peak RSS. */
async function runNode(
  args: string[],
  env: Record<string, string>,
  dir: string,
  cwd = root,
): Promise<ProcessRun> {
  const rssFile = join(dir, `rss-${process.hrtime.bigint()}`);
  const [command, argv] = gnuTime
    ? [gnuTime, ['-f', '%M', '-o', rssFile, process.execPath, ...args]]
    : [process.execPath, args];
  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0)
    throw new Error(`node ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`);
  const rssKb = gnuTime ? Number((await readFile(rssFile, 'utf8')).trim().split('\n').at(-1)) : NaN;
  return { seconds, rssMb: Number.isFinite(rssKb) ? rssKb / 1024 : null, stdout };
}

async function fullSyncs(ctx: BenchContext, size: number, latencyMs: number, rounds: number) {
  const hs = await startFakeHubspot({
    counts: { contacts: size },
    latencyMs,
    rateLimit: null,
    searchRateLimit: null,
  });
  const dir = await mkdtemp(join(tmpdir(), 'crmsync-script-bench-'));
  const label = `${size.toLocaleString('en-US')} contacts, ${latencyMs} ms latency`;
  try {
    const token = hs.config.HUBSPOT_ACCESS_TOKEN as string;
    const script = async (round: number) => {
      const file = join(dir, `script-${round}.db`);
      const run = await runNode([peer, hs.baseUrl, token, file], {}, dir);
      const { count } = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
        count?: number;
      };
      if (count !== size) throw new Error(`the script read ${count} contacts, not ${size}`);
      return run;
    };
    const crmsync = async (round: number) => {
      const run = await runNode(
        [cli, 'sync', 'hubspot', 'contacts', '--full', '--json'],
        {
          DATABASE_URL: `file:${join(dir, `crmsync-${round}.db`)}`,
          HUBSPOT_ACCESS_TOKEN: token,
          HUBSPOT_BASE_URL: hs.baseUrl,
          HUBSPOT_RATE_LIMIT: '0',
        },
        dir,
      );
      const [done] = JSON.parse(run.stdout) as Array<{
        status: string;
        counts: { created: number };
      }>;
      if (done?.status !== 'success' || done.counts.created !== size)
        throw new Error(`crmsync ended ${done?.status} with ${done?.counts.created} created`);
      return run;
    };
    const ratios: number[] = [];
    const ours: ProcessRun[] = [];
    const theirs: ProcessRun[] = [];
    for (let round = 0; round < rounds; round++) {
      let us: ProcessRun;
      let them: ProcessRun;
      if (round % 2 === 0) {
        them = await script(round);
        us = await crmsync(round);
      } else {
        us = await crmsync(round);
        them = await script(round);
      }
      ours.push(us);
      theirs.push(them);
      // speed ratio: > 1 means crmsync took less time than the script
      ratios.push(them.seconds / us.seconds);
      ctx.log(
        `${label}, round ${round + 1}: script ${them.seconds.toFixed(2)} s (peak RSS ${mb(them.rssMb)}), crmsync ${us.seconds.toFixed(2)} s (peak RSS ${mb(us.rssMb)}) → ${(them.seconds / us.seconds).toFixed(2)}×`,
      );
    }
    const ratio = median(ratios);
    const goal = latencyMs === 0 ? 1.0 : 1.05;
    ctx.report({
      suite: 'script',
      name: `crmsync sync speed ÷ the SDK script's, ${label} (whole processes, median of ${rounds} rounds' ratios)`,
      value: median(ours.map((r) => r.seconds)),
      unit: 's',
      limits: [{ name: 'script', value: median(theirs.map((r) => r.seconds)), unit: 's' }],
      ratio,
      goal: `>= ${goal.toFixed(2)}× the script's speed`,
      met: ratio >= goal,
    });
    if (gnuTime) {
      const rssRatios = ours.map((r, i) => (r.rssMb ?? 0) / (theirs[i]?.rssMb ?? 1));
      const rssRatio = median(rssRatios);
      ctx.report({
        suite: 'script',
        name: `crmsync peak RSS ÷ the script's, ${label}`,
        value: median(ours.map((r) => r.rssMb ?? 0)),
        unit: 'MB',
        limits: [{ name: 'script', value: median(theirs.map((r) => r.rssMb ?? 0)), unit: 'MB' }],
        ratio: rssRatio,
        goal: '<= 1.2× the script',
        met: rssRatio <= 1.2,
      });
    }
  } finally {
    await hs.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const mb = (v: number | null) => (v === null ? '?' : `${v.toFixed(0)} MB`);

/**
 * Spawns `crmsync sync hubspot contacts` against a listener that only notes when the first
 * request arrives, then kills it: seconds from spawn to that request.
 */
async function timeToFirstRequest(dir: string, database: string): Promise<number> {
  let arrived: (at: number) => void = () => {};
  const first = new Promise<number>((resolve) => {
    arrived = resolve;
  });
  const server = createServer((_req, res) => {
    arrived(performance.now());
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'sync', 'hubspot', 'contacts', '--full'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      DATABASE_URL: database,
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-first-request',
      HUBSPOT_BASE_URL: `http://127.0.0.1:${port}`,
    },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const at = await Promise.race([
      first,
      exited.then(() => {
        throw new Error('crmsync sync exited before its first request');
      }),
    ]);
    return (at - started) / 1000;
  } finally {
    child.kill('SIGKILL');
    await exited;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function coldStart(ctx: BenchContext, repetitions: number) {
  const dir = await mkdtemp(join(tmpdir(), 'crmsync-start-bench-'));
  try {
    const database = `file:${join(dir, 'list.db')}`;
    // One run first creates and migrates the database, so `list` below times a project in use.
    await runNode([cli, 'list'], { DATABASE_URL: database }, dir);
    const samples: Record<'node' | 'help' | 'list' | 'sync', number[]> = {
      node: [],
      help: [],
      list: [],
      sync: [],
    };
    for (let i = 0; i < repetitions; i++) {
      samples.node.push((await runNode(['-e', '0'], {}, dir)).seconds);
      samples.help.push((await runNode([cli, '--help'], {}, dir)).seconds);
      samples.list.push((await runNode([cli, 'list'], { DATABASE_URL: database }, dir)).seconds);
      samples.sync.push(await timeToFirstRequest(dir, database));
    }
    const node = median(samples.node);
    ctx.log(
      `cold start, ${repetitions} interleaved repetitions (ms): node -e 0 ${fmtMs(samples.node)}; --help ${fmtMs(samples.help)}; list ${fmtMs(samples.list)}; sync to first request ${fmtMs(samples.sync)}`,
    );
    const figures = [
      ['crmsync --help', samples.help, 0.25],
      ['crmsync list', samples.list, 0.4],
      ['crmsync sync: spawn to first request', samples.sync, 0.4],
    ] as const;
    for (const [name, values, goal] of figures) {
      const value = median(values);
      ctx.report({
        suite: 'script',
        name: `cold start: ${name} (median of ${repetitions})`,
        value: value * 1000,
        unit: 'ms',
        limits: [{ name: 'node -e 0', value: node * 1000, unit: 'ms' }],
        ratio: value / node,
        goal: `< ${goal * 1000} ms`,
        met: value < goal,
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const fmtMs = (values: number[]) => values.map((v) => Math.round(v * 1000)).join(', ');

const suite: BenchSuite = {
  name: 'script',
  async run(ctx) {
    const rounds = ctx.quick ? 1 : 3;
    await coldStart(ctx, ctx.quick ? 2 : 5);
    await fullSyncs(ctx, ctx.quick ? 20_000 : 200_000, 0, rounds);
    // 20 ms a page: 500 pages chain at least 10 s for either side, so 50,000 contacts here.
    await fullSyncs(ctx, ctx.quick ? 5_000 : 50_000, 20, rounds);
  },
};
export default suite;
