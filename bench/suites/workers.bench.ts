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
import { readFileSync } from 'node:fs';
import { type BenchContext, type BenchSuite, median } from '../lib.js';

// Scale-out (issue 28): N `crmsync worker` processes (the built CLI, as a user starts them)
// on one PostgreSQL drain a queue of 200 scheduled entity syncs of a latency-bound CRM (the
// fleet fake: 50 ms before every answer, 2 pages per entity). Each phase gets a fresh
// database; the workers are started and ready first, the 200 jobs are parked far ahead, then
// made due at one instant (one UPDATE plus one notification, as 200 schedules falling due on
// the same minute). Timed: from that instant to the last run's end in sync_history. Both
// phases run with the worker's default settings (4 syncs at once, 1 per CRM, poll 5 s).

const LATENCY_MS = 50;

/** CPU seconds (user + system) a process has used so far, from /proc; NaN off Linux. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** How long runs took, and how long each worker sat between the end of one and its next start. */
function timeline(runs: readonly FleetRun[]): { runMs: number[]; idleMs: number[] } {
  const runMs = runs.map((r) => (r.endTime?.getTime() ?? Number.NaN) - r.startTime.getTime());
  const idleMs: number[] = [];
  const byWorker = new Map<string, FleetRun[]>();
  for (const r of runs)
    byWorker.set(r.workerId ?? '?', [...(byWorker.get(r.workerId ?? '?') ?? []), r]);
  for (const mine of byWorker.values()) {
    const sorted = [...mine].sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    for (let i = 1; i < sorted.length; i++)
      idleMs.push(
        (sorted[i] as FleetRun).startTime.getTime() -
          ((sorted[i - 1] as FleetRun).endTime?.getTime() ?? Number.NaN),
      );
  }
  return { runMs, idleMs };
}

interface Phase {
  workers: number;
  /** CPU seconds each worker process used while the queue drained. */
  workerCpu: number[];
  /** CPU seconds this process (the fake CRM, the producer, the history polls) used meanwhile. */
  parentCpu: number;
  /** CPU seconds of the PostgreSQL server processes serving this database meanwhile. */
  postgresCpu: number;
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
    const cpuBefore = procs.map((p) => cpuSeconds(p.child.pid));
    // PostgreSQL runs here too: one server process per connection, all on the same 2 cores.
    const backends = async () =>
      (
        await queue.app.store.prisma.$queryRawUnsafe<Array<{ pid: number }>>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
        )
      ).map((r) => Number(r.pid));
    const pgBefore = new Map((await backends()).map((pid) => [pid, cpuSeconds(pid)]));
    const parentBefore = process.cpuUsage();
    const due = await queue.release();
    const runs = await waitForRuns(
      queue.app,
      (r) => r.filter((x) => x.status !== 'running').length >= fake.entities.length,
      ctx.quick ? 120_000 : 600_000,
    );
    const workerCpu = procs.map((p, i) => cpuSeconds(p.child.pid) - (cpuBefore[i] as number));
    const parent = process.cpuUsage(parentBefore);
    let postgresCpu = 0;
    for (const pid of await backends()) postgresCpu += cpuSeconds(pid) - (pgBefore.get(pid) ?? 0);
    const lastEnd = Math.max(...runs.map((r) => r.endTime?.getTime() ?? Number.NaN));
    return {
      workers,
      drainMs: lastEnd - due,
      startMs,
      runs,
      workerCpu,
      parentCpu: (parent.user + parent.system) / 1e6,
      postgresCpu,
    };
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
        const { runMs, idleMs } = timeline(p.runs);
        ctx.log(
          `  a run (sync_history start → end): p50 ${median(runMs).toFixed(0)} ms, max ${Math.max(...runMs).toFixed(0)} ms; a worker idle between its runs: p50 ${median(idleMs).toFixed(0)} ms, max ${Math.max(...idleMs, 0).toFixed(0)} ms`,
        );
        const cpu = p.workerCpu.reduce((a, b) => a + b, 0);
        ctx.log(
          `  CPU while draining: workers ${p.workerCpu.map((c) => c.toFixed(1)).join(' + ')} = ${cpu.toFixed(1)} s (${((1000 * cpu) / jobs).toFixed(0)} ms a sync), bench process (fake, producer, polls) ${p.parentCpu.toFixed(1)} s, PostgreSQL for this database ${p.postgresCpu.toFixed(1)} s (${((1000 * p.postgresCpu) / jobs).toFixed(0)} ms a sync)`,
        );
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
