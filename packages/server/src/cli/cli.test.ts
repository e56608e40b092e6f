import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import {
  acmePluginSource,
  runCli,
  type TestProject,
  testProject,
} from '../../test/cli/test-project.js';

const SECRET = 'acme-secret-token-7f3a9c';

interface RunJson {
  id: string;
  crm: string;
  entity: string;
  status: string;
  trigger: string;
  dryRun: boolean;
  counts: { processed: number; created: number; failed: number };
  errorMessage: string | null;
}

describe('crmsync CLI, in-process through buildProgram()', () => {
  let project: TestProject;
  let cli: (args: string[], env?: Record<string, string>) => ReturnType<typeof runCli>;
  const env = { FAKER_SIZE: '40', ACME_TOKEN: SECRET };

  beforeAll(() => {
    project = testProject();
    project.addPackage('@acme/crmsync-acme', acmePluginSource());
    project.addPackage('crmsync-plugin-old', acmePluginSource(99, 'old'));
    cli = (args, extra = env) => runCli(['--cwd', project.dir, ...args], extra);
  });
  afterAll(() => project.remove());

  it('help lists the commands, the universal flags and the exit codes', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['sync', 'list', 'history', 'db'])
      expect(top.out).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(top.out).toContain('0 success, 1 failed, 2 bad usage, 3 partial');
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.out).toMatch(/^\d+\.\d+\.\d+/);
    const sync = await cli(['sync', '--help']);
    expect(sync.code).toBe(0);
    for (const flag of [
      '--full',
      '--force',
      '--start-date',
      '--end-date',
      '--dry-run',
      '--batch-size',
      '--max-records',
      '--skip-validation',
      '--strict-validation',
      '--debug',
      '--json',
    ])
      expect(sync.out).toContain(flag);
  });

  it('db migrate applies the migrations once, then says the database is up to date', async () => {
    const url = `file:${path.join(project.dir, 'migrated.db')}`;
    const first = await cli(['--database', url, 'db', 'migrate']);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/^applied \S+/);
    const second = await cli(['--database', url, 'db', 'migrate']);
    expect(second.out).toContain('is up to date');
  });

  it('syncs one entity into the embedded SQLite database, with progress lines off a TTY', async () => {
    const r = await cli(['sync', 'faker', 'contacts']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('faker contacts: started (full)');
    expect(r.err).toContain('faker contacts: success, 40 records');
    expect(r.out).toMatch(/│ faker\s+│ contacts\s+│ success\s+│ full/);
    const store = await openStore({
      databaseUrl: `file:${path.join(project.dir, '.crmsync', 'crmsync.db')}`,
    });
    try {
      expect(await store.countRecords('faker', 'contacts')).toBe(40);
    } finally {
      await store.close();
    }
  });

  it('sync all --json runs every entity and prints only JSON on stdout', async () => {
    const r = await cli(['sync', 'faker', 'all', '--json']);
    expect(r.code, r.err).toBe(0);
    const runs = JSON.parse(r.out) as RunJson[];
    expect(runs.map((x) => x.entity).sort()).toEqual(
      ['activities', 'companies', 'contacts', 'deals'].sort(),
    );
    expect(runs.every((x) => x.status === 'success' && x.trigger === 'cli')).toBe(true);
    // contacts already synced: a delta run this time
    expect(runs.find((x) => x.entity === 'contacts')?.counts.created).toBe(0);
  });

  it('sync all goes on after an entity fails, ends with a summary table and exits 1', async () => {
    const r = await cli(['sync', 'acme', 'all', '--shade', 'blue']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/│ acme\s+│ alpha\s+│ failed/);
    expect(r.out).toMatch(/│ acme\s+│ beta\s+│ success/);
    expect(r.out).toContain('alpha endpoint answered 500');
    const store = await openStore({
      databaseUrl: `file:${path.join(project.dir, '.crmsync', 'crmsync.db')}`,
    });
    try {
      expect((await store.getRecord('acme', 'beta', 'b2'))?.data.shade).toBe('blue');
    } finally {
      await store.close();
    }
  });

  it('a dry run writes no record and is marked as one', async () => {
    const r = await cli(['sync', 'acme', 'beta', '--dry-run', '--full', '--shade=red', '--json']);
    expect(r.code, r.err).toBe(0);
    const [run] = JSON.parse(r.out) as RunJson[];
    expect(run?.dryRun).toBe(true);
    const store = await openStore({
      databaseUrl: `file:${path.join(project.dir, '.crmsync', 'crmsync.db')}`,
    });
    try {
      expect((await store.getRecord('acme', 'beta', 'b2'))?.data.shade).toBe('blue');
    } finally {
      await store.close();
    }
  });

  it('exits 3 when the run is partial: some records failed (strict validation)', async () => {
    const r = await cli(['sync', 'acme', 'beta', '--strict-validation', '--dry-run', '--json']);
    expect(r.code, r.err).toBe(3);
    const [run] = JSON.parse(r.out) as RunJson[];
    expect(run?.status).toBe('partial');
    expect(run?.counts.failed).toBe(1);
  });

  const badInput: Array<[string, string[], RegExp]> = [
    [
      'an unknown CRM lists the installed ones',
      ['sync', 'nosuchcrm', 'all'],
      /crm: expected one of the installed CRMs: acme, .*faker.*\(got "nosuchcrm"\)/,
    ],
    [
      'an unknown entity lists the valid ones',
      ['sync', 'acme', 'gamma'],
      /entity: expected all, or one of acme's entities: alpha, beta \(got "gamma"\)/,
    ],
    [
      'a malformed --start-date names the expected format',
      ['sync', 'faker', 'contacts', '--start-date', '2025-13-01'],
      /start-date: expected a date as YYYY-MM-DD.*2025-13-01/,
    ],
    [
      'a malformed --end-date names the expected format',
      ['sync', 'faker', 'contacts', '--end-date', '31/01/2025'],
      /end-date: expected a date as YYYY-MM-DD/,
    ],
    [
      'a non-numeric --batch-size',
      ['sync', 'faker', 'contacts', '--batch-size', 'lots'],
      /batch-size/,
    ],
    ['--since was replaced', ['sync', 'faker', 'all', '--since', '2025-01-01'], /--start-date/],
    ['--test was replaced', ['sync', 'faker', 'all', '--test'], /--test was removed.*--dry-run/],
    ['--verbose was replaced', ['sync', 'faker', 'all', '--verbose'], /--verbose.*--debug/],
    [
      '--force-overwrite was replaced',
      ['sync', 'faker', 'all', '--force-overwrite'],
      /--force-overwrite.*--force\b/,
    ],
    [
      "an option the plugin does not have lists the plugin's own",
      ['sync', 'acme', 'beta', '--hue', 'x'],
      /--hue: expected a universal flag or one of acme's options: --shade/,
    ],
    [
      'a plugin option outside its choices',
      ['sync', 'acme', 'beta', '--shade', 'green'],
      /shade.*red.*blue|shade.*green/,
    ],
    ['a missing entity argument', ['sync', 'faker'], /missing required argument 'entity'/],
    ['an unknown command', ['synch', 'faker'], /unknown command 'synch'/],
    [
      'an unknown history status',
      ['history', '--status', 'done'],
      /status: expected one of running, success, partial, failed/,
    ],
    ['a malformed --since-date', ['history', '--since-date', '2025-1-1'], /since-date.*YYYY/],
  ];
  for (const [name, args, message] of badInput) {
    it(`exits 2 on bad usage: ${name}`, async () => {
      const r = await cli(args);
      expect(r.code, r.out + r.err).toBe(2);
      expect(r.err).toMatch(message);
    });
  }

  it('an unconfigured CRM exits 2 naming the missing env vars, never a secret value', async () => {
    const missing = await cli(['sync', 'acme', 'all'], { FAKER_SIZE: '40' });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('acme is not configured: set ACME_TOKEN');
    const malformed = await cli(['sync', 'acme', 'all', '--debug'], {
      ACME_TOKEN: SECRET,
      ACME_PORT: 'eighty',
    });
    expect(malformed.code).toBe(2);
    expect(malformed.err).toMatch(
      /acme is not configured: ACME_PORT is malformed: expected a whole number/,
    );
    expect(malformed.out + malformed.err).not.toContain('eighty');
    const list = await cli(['list'], { FAKER_SIZE: '40', ACME_PORT: 'eighty' });
    expect(list.out).toContain(
      'Acme CRM (acme, api) — not configured: set ACME_TOKEN; ACME_PORT is malformed (expected a whole number)',
    );
    expect(list.out).not.toContain('eighty');
    // configured, with debug logs on: the token appears nowhere
    const debug = await cli(['sync', 'acme', 'beta', '--debug']);
    expect(debug.code, debug.err).toBe(0);
    expect(debug.err).toContain('connecting with token ***');
    expect(debug.out + debug.err).not.toContain(SECRET);
    const json = await cli(['list', '--json']);
    expect(json.out).not.toContain(SECRET);
  });

  it('list shows plugins, entities, configuration and the last run of each entity', async () => {
    const r = await cli(['list', '--json']);
    expect(r.code, r.err).toBe(0);
    const plugins = JSON.parse(r.out) as Array<{
      name: string;
      configured: boolean;
      missing: string[];
      entities: Array<{ name: string; records: number; lastRun: { status: string } | null }>;
    }>;
    const acme = plugins.find((p) => p.name === 'acme');
    expect(acme?.configured).toBe(true);
    expect(acme?.entities.map((e) => [e.name, e.lastRun?.status])).toEqual([
      ['alpha', 'failed'],
      ['beta', 'success'],
    ]);
    expect(acme?.entities.find((e) => e.name === 'beta')?.records).toBe(3);
    expect(plugins.find((p) => p.name === 'faker')?.entities[0]?.records).toBe(40);
    // the plugin built for contract v99 is refused with a reason, not loaded, not a crash
    expect(plugins.some((p) => p.name === 'old')).toBe(false);
    expect(r.err).toContain(
      'warning: plugin old was built for crmsync core contract v99; this core supports v1 — upgrade @crmsync/core',
    );
    const text = await cli(['list']);
    expect(text.out).toContain('Acme CRM (acme, api) — configured');
    expect(text.out).toMatch(/│ beta\s+│ 3\s+│ \d{4}-\d{2}-\d{2} [\d:]+ │ success/);
  });

  it('history filters by crm, entity, status, date and limit, as a table or JSON', async () => {
    const all = JSON.parse((await cli(['history', '--json', '--limit', '100'])).out) as RunJson[];
    expect(all.length).toBeGreaterThanOrEqual(8);
    const failed = await cli(['history', '--crm', 'acme', '--status', 'failed', '--json']);
    expect((JSON.parse(failed.out) as RunJson[]).map((x) => x.entity)).toEqual(['alpha']);
    const one = JSON.parse(
      (await cli(['history', '--crm', 'faker', '--entity', 'contacts', '--limit', '1', '--json']))
        .out,
    ) as RunJson[];
    expect(one).toHaveLength(1);
    expect(one[0]?.counts.created).toBe(0);
    const future = await cli(['history', '--since-date', '2999-01-01']);
    expect(future.out).toBe('No runs match.\n');
    const today = new Date().toISOString().slice(0, 10);
    const table = await cli(['history', '--crm', 'acme', '--since-date', today]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/│ acme\s+│ alpha\s+│ failed/);
    expect(table.out).not.toContain('faker');
  });

  it('finishes a run left running by a dead process as failed "interrupted" on start', async () => {
    const store = await openStore({
      databaseUrl: `file:${path.join(project.dir, '.crmsync', 'crmsync.db')}`,
    });
    const dead = await store.beginRun({
      crmSource: 'acme',
      syncType: 'beta',
      mode: 'delta',
      trigger: 'cli',
      dryRun: false,
      configuration: {},
      workerId: 'gone-host:4242',
      leaseMs: 60_000,
      startTime: new Date(Date.now() - 3_600_000),
    });
    await store.close();
    const r = await cli(['history', '--status', 'failed', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`finished interrupted run ${dead.id} (acme beta) as failed`);
    const reaped = (JSON.parse(r.out) as RunJson[]).find((x) => x.id === dead.id);
    expect(reaped?.errorMessage).toMatch(/^interrupted: the process running it \(gone-host:4242\)/);
    const again = await cli(['history', '--status', 'running', '--json']);
    expect(again.err).not.toContain('interrupted');
    expect(JSON.parse(again.out)).toEqual([]);
  });

  it('--database and DATABASE_URL choose the database; the flag wins', async () => {
    const flagDb = `file:${path.join(project.dir, 'flag.db')}`;
    const envDb = `file:${path.join(project.dir, 'env.db')}`;
    await cli(['--database', flagDb, 'sync', 'acme', 'beta'], { ...env, DATABASE_URL: envDb });
    await cli(['sync', 'faker', 'companies'], { ...env, DATABASE_URL: envDb });
    const inFlag = JSON.parse((await cli(['--database', flagDb, 'history', '--json'])).out);
    const inEnv = JSON.parse((await cli(['history', '--json'], { DATABASE_URL: envDb })).out);
    expect((inFlag as RunJson[]).map((x) => x.crm)).toEqual(['acme']);
    expect((inEnv as RunJson[]).map((x) => x.crm)).toEqual(['faker']);
  });
});
