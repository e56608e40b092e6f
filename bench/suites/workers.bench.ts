import {
  createPostgresTestDatabase,
  postgresUnavailable,
} from '../../packages/server/test/store/test-databases.js';
import { type FleetFake, startFleetFake } from '../../packages/server/test/workers/fleet-fake.js';
import {
  countRuns,
  type FleetRun,
  fleetProject,
  openFleetQueue,
  spawnWorker,
  waitForRuns,
} from '../../packages/server/test/workers/fleet-harness.js';
import type { BenchContext, BenchSuite } from '../lib.js';

// Scale-out (issue 28): N `crmsync worker` processes (the built CLI, as a user starts them)
// on one PostgreSQL drain a queue of 200 scheduled entity syncs of a latency-bound CRM (the
// fleet fake: 50 ms before every answer, 2 pages per entity). Each phase gets a fresh
// database; the workers are started and ready first, the 200 jobs are parked far ahead, then
// made due at one instant (one UPDATE plus one notification, as 200 schedules falling due on
// the same minute). Timed: from that instant to the last run's end in sync_history. Both
// phases run with the worker's default settings (4 syncs at once, 1 per CRM, poll 5 s).

const LATENCY_MS = 50;

interface Phase {
  workers: number;
  /** From the jobs falling due to the last run's end, ms. */
  drainMs: number;
  /** Spawn → "taking jobs", per worker, ms. */
  startMs: number[];
  runs: FleetRun[];
}

async function phase(ctx: BenchContext, fake: FleetFake, workers: number): Promise<Phase> {
  const db = await createPostgresTestDatabase();
  const project = fleetProject(fake);
  const queue = await openFleetQueue(project, db.url);
  const procs = Array.from({ length: workers }, (_, i) =>
    spawnWorker(project, db.url, `worker-${i + 1}`),
  );
  try {
    const startMs = await Promise.all(procs.map((p) => p.ready));
    await queue.enqueue(fake.entities, { parked: true });
    const due = await queue.release();
    const runs = await waitForRuns(
      queue.app,
      (r) => r.filter((x) => x.status !== 'running').length >= fake.entities.length,
      ctx.quick ? 120_000 : 600_000,
    );
    const lastEnd = Math.max(...runs.map((r) => r.endTime?.getTime() ?? Number.NaN));
    return { workers, drainMs: lastEnd - due, startMs, runs };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await queue.close();
    project.remove();
    await db.drop();
  }
}

const suite: BenchSuite = {
  name: 'workers',
  async run(ctx) {
    const problem = await postgresUnavailable();
    if (problem) {
      ctx.log(`skipped: ${problem}`);
      return;
    }
    const jobs = ctx.quick ? 40 : 200;
    const phases: Phase[] = [];
    for (const workers of [1, 4]) {
      // A fresh fake per phase: its per-entity read count is a second check on double runs.
      const fake = await startFleetFake({ entities: jobs, latencyMs: LATENCY_MS });
      try {
        const p = await phase(ctx, fake, workers);
        phases.push(p);
        const count = countRuns(p.runs, fake.entities);
        const reread = fake.entities.filter((e) => fake.reads(e) > 1);
        const shares = [...count.byWorker]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([id, n]) => `${id} ${n} (${((100 * n) / jobs).toFixed(0)}%)`)
          .join(', ');
        ctx.log(
          `${workers} worker(s): ${jobs} syncs drained in ${(p.drainMs / 1000).toFixed(2)} s; worker start ${p.startMs.map((ms) => (ms / 1000).toFixed(1)).join(' / ')} s (not in the drain time)`,
        );
        ctx.log(`  runs per worker: ${shares}`);
        ctx.log(
          `  double runs ${count.doubleRuns.length}, missed ${count.missed.length}, entities read twice at the fake ${reread.length}`,
        );
        ctx.report({
          suite: 'workers',
          name: `${workers} worker(s): drain ${jobs} entity syncs (fake at ${LATENCY_MS} ms/request)`,
          value: p.drainMs / 1000,
          unit: 's',
        });
        ctx.report({
          suite: 'workers',
          name: `${workers} worker(s): double runs + missed jobs`,
          value: count.doubleRuns.length + count.missed.length,
          unit: 'jobs',
          goal: '0',
          met: count.doubleRuns.length + count.missed.length === 0 && reread.length === 0,
        });
      } finally {
        await fake.close();
      }
    }
    const [one, four] = phases as [Phase, Phase];
    const ratio = four.drainMs / one.drainMs;
    ctx.report({
      suite: 'workers',
      name: `4 workers ÷ 1 worker: time to drain ${jobs} syncs`,
      value: four.drainMs / 1000,
      unit: 's',
      limits: [{ name: '1 worker', value: one.drainMs / 1000, unit: 's' }],
      ratio,
      goal: '<= 0.35',
      met: ratio <= 0.35,
    });
  },
};

export default suite;
