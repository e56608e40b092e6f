import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatusPayload } from '../../events/pubsub.js';
import { openRunEventBridge } from '../../scheduler/run-event-bridge.js';
import { runCli, type TestProject, testProject } from '../../../test/cli/test-project.js';

// `crmsync schedule …` and `crmsync worker` on the embedded SQLite database: the schedule
// row, its Agenda job (our SQLite backend, same file), and a worker process running it.

interface ScheduleJson {
  id: string;
  crm: string;
  entity: string;
  every: string | null;
  cron: string | null;
  options: Record<string, unknown>;
  enabled: boolean;
  pausedReason: string | null;
  nextRun: string | null;
}

interface AgendaRow {
  id: string;
  next_run_at: number | null;
  disabled: number;
  repeat_interval: string | null;
  data: string;
}

const REDIS_URL = process.env.CRMSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const env = { FAKER_SIZE: '30' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crmsync schedule and crmsync worker (SQLite)', () => {
  let project: TestProject;
  let file: string;
  let cli: (args: string[]) => ReturnType<typeof runCli>;

  beforeAll(() => {
    project = testProject('crmsync-schedule-');
    file = path.join(project.dir, 'crm.db');
    cli = (args) => runCli(['--cwd', project.dir, '--database', `file:${file}`, ...args], env);
  });
  afterAll(() => project.remove());

  const agendaJobs = (): AgendaRow[] => {
    const db = new Database(file, { readonly: true });
    try {
      return db
        .prepare(`SELECT * FROM agenda_jobs WHERE name = 'crmsync:sync'`)
        .all() as AgendaRow[];
    } finally {
      db.close();
    }
  };
  const list = async (): Promise<ScheduleJson[]> => {
    const r = await cli(['schedule', 'list', '--json']);
    expect(r.code, r.err).toBe(0);
    return JSON.parse(r.out) as ScheduleJson[];
  };

  it('add writes the schedule and its Agenda job; pause, resume and rm reach Agenda at once', async () => {
    const before = Date.now();
    const added = await cli([
      'schedule',
      'add',
      'faker',
      'all',
      '--every',
      '15 minutes',
      '--batch-size',
      '10',
      '--json',
    ]);
    expect(added.code, added.err).toBe(0);
    const schedule = JSON.parse(added.out) as ScheduleJson;
    expect(schedule).toMatchObject({
      crm: 'faker',
      entity: 'all',
      every: '15 minutes',
      enabled: true,
      options: { batchSize: '10' },
    });
    const next = new Date(schedule.nextRun as string).getTime();
    expect(next).toBeGreaterThanOrEqual(before + 15 * 60_000 - 1000);
    expect(next).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);

    const [job] = agendaJobs().filter(
      (j) => (JSON.parse(j.data) as { scheduleId: string }).scheduleId === schedule.id,
    );
    expect(job?.disabled).toBe(0);
    expect(job?.next_run_at).toBe(next);

    expect((await list()).map((s) => s.id)).toEqual([schedule.id]);

    const paused = await cli(['schedule', 'pause', schedule.id, '--reason', 'maintenance']);
    expect(paused.code, paused.err).toBe(0);
    expect((await list())[0]).toMatchObject({ enabled: false, pausedReason: 'maintenance' });
    expect(agendaJobs()[0]?.disabled).toBe(1);

    const resumed = await cli(['schedule', 'resume', schedule.id]);
    expect(resumed.code, resumed.err).toBe(0);
    expect((await list())[0]).toMatchObject({ enabled: true, pausedReason: null });
    expect(agendaJobs()[0]?.disabled).toBe(0);

    const removed = await cli(['schedule', 'rm', schedule.id]);
    expect(removed.code, removed.err).toBe(0);
    expect(await list()).toEqual([]);
    expect(agendaJobs()).toEqual([]);
  });

  it('refuses an interval under a minute, two timings, and an unknown flag, writing nothing', async () => {
    const short = await cli(['schedule', 'add', 'faker', 'all', '--every', '5 seconds']);
    expect(short.code).toBe(2);
    expect(short.err).toContain('at least 1 minute');
    const both = await cli([
      'schedule',
      'add',
      'faker',
      'all',
      '--every',
      '5 minutes',
      '--cron',
      '* * * * *',
    ]);
    expect(both.code).toBe(2);
    const unknown = await cli([
      'schedule',
      'add',
      'faker',
      'all',
      '--cron',
      '* * * * *',
      '--shade',
      'x',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--shade');
    expect(await list()).toEqual([]);
  });

  it('a worker process runs a due schedule once with trigger "schedule", and stops cleanly on SIGTERM', async () => {
    const added = await cli([
      'schedule',
      'add',
      'faker',
      'contacts',
      '--cron',
      '*/30 * * * *',
      '--json',
    ]);
    expect(added.code, added.err).toBe(0);
    const schedule = JSON.parse(added.out) as ScheduleJson;
    // Make it due now instead of waiting for the next half hour.
    const db = new Database(file);
    db.prepare(`UPDATE agenda_jobs SET next_run_at = ? WHERE name = 'crmsync:sync'`).run(
      Date.now() - 1000,
    );
    db.close();

    // Live events leave the worker over Redis (when there is one) to this process.
    const channel = `crmsync_test_${randomBytes(5).toString('hex')}`;
    const bridge = await openRunEventBridge({ kind: 'redis', url: REDIS_URL }, { channel }).catch(
      () => undefined,
    );
    if (!bridge && process.env.CI === 'true')
      throw new Error(`CI=true but Redis at ${REDIS_URL} is unreachable`);
    const finished: RunStatusPayload[] = [];
    const finishedSub = bridge?.pubsub.subscribe('run:finished');
    const collecting = (async () => {
      if (finishedSub) for await (const f of finishedSub) finished.push(f);
    })();
    const eventsEnv = bridge
      ? { CRMSYNC_EVENTS_URL: REDIS_URL, CRMSYNC_EVENTS_CHANNEL: channel }
      : {};
    const worker: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--cwd',
        project.dir,
        '--database',
        `file:${file}`,
        'worker',
        '--poll-ms',
        '200',
        '--worker-id',
        'test-worker',
      ],
      { env: { ...process.env, ...env, ...eventsEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    worker.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    worker.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      worker.on('exit', (code) => resolve(code)),
    );
    try {
      const deadline = Date.now() + 45_000;
      let runs: Array<{ trigger: string; status: string; entity: string }> = [];
      while (Date.now() < deadline) {
        const h = await cli(['history', '--json']);
        runs = JSON.parse(h.out) as typeof runs;
        if (runs.some((r) => r.status !== 'running')) break;
        await sleep(250);
      }
      expect(runs, out).toHaveLength(1);
      expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'success', entity: 'contacts' });
      await sleep(1000);
      expect((await cli(['history', '--json'])).out).toBe((await cli(['history', '--json'])).out);
      const [row] = await list();
      expect(row?.id).toBe(schedule.id);
      // The cron job is rescheduled to its next half hour, not run again.
      expect(new Date(row?.nextRun as string).getUTCMinutes() % 30).toBe(0);
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited, out).toBe(0);
    expect(out).toContain('worker stopped');
    if (bridge) {
      await finishedSub?.return?.();
      await collecting;
      await bridge.close();
      expect(out).toContain('live events over redis');
      expect(finished).toEqual([
        expect.objectContaining({ crmSource: 'faker', syncType: 'contacts', status: 'success' }),
      ]);
    } else
      console.warn(
        `live events through crmsync worker not checked: Redis at ${REDIS_URL} is unreachable`,
      );
    const history = JSON.parse((await cli(['history', '--json'])).out) as Array<{ status: string }>;
    expect(history.filter((r) => r.status === 'running')).toEqual([]);
    expect(history).toHaveLength(1);
  }, 60_000);

  it('SIGTERM during a scheduled sync cancels it cleanly: the worker exits 0 and no run stays running', async () => {
    const added = await cli([
      'schedule',
      'add',
      'faker',
      'contacts',
      '--cron',
      '*/30 * * * *',
      '--batch-size',
      '5',
      '--json',
    ]);
    expect(added.code, added.err).toBe(0);
    const schedule = JSON.parse(added.out) as ScheduleJson;
    const db = new Database(file);
    db.prepare(
      `UPDATE agenda_jobs SET next_run_at = ? WHERE json_extract(data, '$.scheduleId') = ?`,
    ).run(Date.now() - 1000, schedule.id);
    db.close();
    const before = JSON.parse((await cli(['history', '--json'])).out) as unknown[];
    const slowEnv = { FAKER_SIZE: '2000', FAKER_REQUESTS_PER_SECOND: '4' };
    const worker = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--cwd',
        project.dir,
        '--database',
        `file:${file}`,
        'worker',
        '--poll-ms',
        '200',
      ],
      { env: { ...process.env, ...slowEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    worker.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    worker.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      worker.on('exit', (code) => resolve(code)),
    );
    let running = false;
    try {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !running) {
        const runs = JSON.parse((await cli(['history', '--json'])).out) as Array<{
          status: string;
        }>;
        running = runs.length > before.length && runs.some((r) => r.status === 'running');
        if (!running) await sleep(200);
      }
      expect(running, out).toBe(true);
      await sleep(500);
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited, out).toBe(0);
    const runs = JSON.parse((await cli(['history', '--json'])).out) as Array<{
      status: string;
      trigger: string;
      errorMessage: string | null;
      counts: { processed: number };
    }>;
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    const [last] = runs;
    expect(last?.trigger).toBe('schedule');
    expect(last?.status).toBe('failed');
    expect(last?.errorMessage).toMatch(/cancel|shutting down/i);
    expect(last?.counts.processed).toBeLessThan(2000);
  }, 60_000);
});
