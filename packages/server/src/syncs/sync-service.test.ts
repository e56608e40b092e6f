import { syncFlag } from '@crmsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRuntimeFromApp } from '../api/app-runtime.js';
import { type ApiServer, startApiServer } from '../api/server.js';
import { type Crmsync, createCrmsync } from '../app.js';
import { acmePluginSource, runCli, type TestProject, testProject } from '../cli/test-project.js';
import { type Scheduler, startScheduler } from '../scheduler/start-scheduler.js';

// One bad request, three edges: the CLI, the GraphQL mutation and a scheduled job all parse
// through the one sync service, so each refusal reads the same wherever it comes from.

interface BadRequest {
  name: string;
  crm: string;
  entity: string;
  flags?: Record<string, string | boolean>;
  pluginOptions?: Record<string, string>;
  message: string;
}

const BAD: BadRequest[] = [
  {
    name: 'an unknown CRM',
    crm: 'nosuch',
    entity: 'all',
    // the installed CRMs are acme and the workspace's own plugins, found above crmsync itself
    message: 'Invalid crm: expected one of the installed CRMs: INSTALLED (got "nosuch")',
  },
  {
    name: 'an unknown entity',
    crm: 'acme',
    entity: 'gamma',
    message: `Invalid entity: expected all, or one of acme's entities: alpha, beta (got "gamma")`,
  },
  {
    name: 'a batch size out of range',
    crm: 'acme',
    entity: 'beta',
    flags: { batchSize: '0' },
    message: 'Invalid batch-size: expected a whole number from 1 to 10000 (got 0)',
  },
  {
    name: 'an end date before the start date',
    crm: 'acme',
    entity: 'beta',
    flags: { startDate: '2025-02-01', endDate: '2025-01-01' },
    message:
      'Invalid end-date: expected a date on or after --start-date 2025-02-01 (got "2025-01-01")',
  },
  {
    name: '--full with --force',
    crm: 'acme',
    entity: 'all',
    flags: { full: true, force: true },
    message: 'Invalid force: expected either --force or --full, not both',
  },
  {
    name: 'a plugin option outside its choices',
    crm: 'acme',
    entity: 'beta',
    pluginOptions: { shade: 'green' },
    message: 'Invalid shade: expected one of red, blue (got "green")',
  },
];

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** Flags as a GraphQL client sends them: whole numbers as numbers. */
const typed = (flags: Record<string, string | boolean> = {}) =>
  Object.fromEntries(
    Object.entries(flags).map(([k, v]) => [k, syncFlag(k)?.type === 'integer' ? Number(v) : v]),
  );
const ENV = { ACME_TOKEN: 'acme-token-0123' };

describe('one sync service behind every edge', () => {
  let project: TestProject;
  let app: Crmsync;
  let api: ApiServer;
  let scheduler: Scheduler;

  beforeAll(async () => {
    project = testProject('crmsync-syncs-');
    project.addPackage('crmsync-plugin-acme', acmePluginSource());
    app = await createCrmsync({ cwd: project.dir, env: ENV });
    api = await startApiServer({
      runtime: apiRuntimeFromApp(app),
      host: '127.0.0.1',
      port: 0,
      env: {},
    });
    scheduler = await startScheduler({ app, env: {}, processEveryMs: 200, heartbeatMs: 500 });
  });
  afterAll(async () => {
    await api?.close();
    await scheduler?.stop();
    await app?.close();
    project?.remove();
  });

  it('refuses each bad request with the same words from the CLI, GraphQL and the scheduler', async () => {
    const installed = app.plugins.map((p) => p.plugin.name);
    expect(installed).toContain('acme');
    for (const bad of BAD) bad.message = bad.message.replace('INSTALLED', installed.join(', '));
    const schedules = await Promise.all(
      BAD.map((bad) =>
        scheduler.service.create({
          crmSource: bad.crm,
          syncType: bad.entity,
          cron: '* * * * * *',
          options: { ...bad.flags, ...(bad.pluginOptions && { pluginOptions: bad.pluginOptions }) },
        }),
      ),
    );
    for (const bad of BAD) {
      const args = Object.entries({ ...bad.flags, ...bad.pluginOptions }).flatMap(([k, v]) =>
        v === true ? [`--${kebab(k)}`] : [`--${kebab(k)}`, String(v)],
      );
      const cli = await runCli(['--cwd', project.dir, 'sync', bad.crm, bad.entity, ...args], ENV);
      expect(cli.code, bad.name).toBe(2);
      expect(cli.err, bad.name).toBe(`error: ${bad.message}\n`);

      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation($input: StartSyncInput!) { startSync(input: $input) { __typename ... on Error { message } } }`,
          variables: {
            input: {
              crm: bad.crm,
              entity: bad.entity,
              ...typed(bad.flags),
              pluginOptions: bad.pluginOptions,
            },
          },
        }),
      });
      const text = await res.text();
      if (!text.includes(`"startSync"`)) throw new Error(`${bad.name}: ${res.status} ${text}`);
      const body = JSON.parse(text) as {
        data: { startSync: { __typename: string; message: string } };
      };
      expect(body.data.startSync, bad.name).toEqual({
        __typename: 'FieldError',
        message: bad.message,
      });
    }
    const deadline = Date.now() + 15_000;
    for (;;) {
      const rows = await app.store.prisma.syncSchedule.findMany({
        where: { id: { in: schedules.map((s) => s.id) } },
      });
      if (rows.every((r) => !r.enabled) || Date.now() > deadline) {
        const reasons = schedules.map((s) => rows.find((r) => r.id === s.id)?.pausedReason);
        expect(reasons).toEqual(BAD.map((bad) => `could not start: ${bad.message}`));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await app.history({ limit: 5 })).toEqual([]);
  });
});
