import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CrmPlugin } from '@crmsync/core';
import createDebug from 'debug';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Crmsync, createCrmsync } from '../app.js';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  type TestDatabase,
} from '../../test/store/test-databases.js';
import { apiRuntimeFromApp } from './app-runtime.js';
import { type ApiServer, startApiServer } from './server.js';
import { collect, ListenerCountingTarget, testProviders } from '../../test/api/test-support.js';

const providers = await testProviders();

interface FakerServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

/** The faker plugin from its sources (the server package does not depend on a built plugin). */
const faker = (await import(
  fileURLToPath(new URL('../../../plugin-faker/src/index.ts', import.meta.url))
)) as {
  fakerPlugin: CrmPlugin;
  startFakerServer(options: { token: string; size: number }): Promise<FakerServer>;
};

async function post(api: ApiServer, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return res.text();
}

const START = `mutation($input: StartSyncInput!) { startSync(input: $input) {
  __typename ... on MutationStartSyncSuccess { data { runId } } ... on Error { message } } }`;

describe.each(providers)(
  'the API on createCrmsync() with the faker demo CRM, on %s',
  (provider) => {
    let db: TestDatabase;
    let cwd: string;
    let app: Crmsync;
    let api: ApiServer;
    const events = new ListenerCountingTarget();
    beforeAll(async () => {
      db =
        provider === 'postgresql' ? await createPostgresTestDatabase() : createSqliteTestDatabase();
      cwd = mkdtempSync(path.join(tmpdir(), 'crmsync-api-app-'));
      // Zero-config faker: its API runs in-process. 5 requests/s makes a run of a few seconds.
      app = await createCrmsync({
        cwd,
        database: db.url,
        plugins: [faker.fakerPlugin],
        env: { FAKER_SIZE: '300', FAKER_REQUESTS_PER_SECOND: '5', FAKER_CHANGES_PER_MINUTE: '0' },
      });
      api = await startApiServer({
        runtime: apiRuntimeFromApp(app),
        host: '127.0.0.1',
        port: 0,
        env: {},
        eventTarget: events,
      });
    });
    afterAll(async () => {
      await api?.close();
      await app?.close();
      await db?.drop();
      rmSync(cwd, { recursive: true, force: true });
    });

    it('streams live progress of a faker sync started through the mutation', async () => {
      const client = createClient({ url: api.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
      try {
        const progress = collect<{
          runProgress: {
            runId: string;
            recordsProcessed: number;
            estimatedTotal: number | null;
            recordsPerSecond: number;
          };
        }>(
          client,
          'subscription { runProgress(crm: "faker") { runId recordsProcessed estimatedTotal recordsPerSecond } }',
          {},
          (items) => items.filter((i) => i.runProgress.recordsProcessed > 0).length >= 2,
        );
        const finished = collect<{ runFinished: { runId: string; status: string } }>(
          client,
          'subscription { runFinished(crm: "faker") { runId status } }',
          {},
          (items) => items.length >= 1,
        );
        await events.listening(2);
        const started = JSON.parse(
          await post(api, START, { input: { crm: 'faker', entity: 'contacts', batchSize: 20 } }),
        );
        const runId = started.data.startSync.data.runId as string;
        expect(runId).toMatch(/^[0-9a-f-]{36}$/);

        const ticks = (await progress.done).map((p) => p.runProgress);
        expect(new Set(ticks.map((p) => p.runId))).toEqual(new Set([runId]));
        const processed = ticks.map((p) => p.recordsProcessed);
        expect(processed).toEqual([...processed].sort((a, b) => a - b));
        expect(processed.at(-1)).toBeGreaterThan(0);
        expect(ticks.at(-1)!.recordsPerSecond).toBeGreaterThan(0);

        const [done] = await finished.done;
        expect(done!.runFinished).toEqual({ runId, status: 'success' });
        const run = JSON.parse(
          await post(api, 'query($id: ID!) { run(id: $id) { status trigger recordsProcessed } }', {
            id: runId,
          }),
        );
        expect(run.data.run).toEqual({ status: 'success', trigger: 'api', recordsProcessed: 300 });
        expect(await app.store.countRecords('faker', 'contacts')).toBe(300);
      } finally {
        await client.dispose();
      }
    });
  },
);

describe('a secret faker token', () => {
  const TOKEN = 'faker-secret-token-93c1d7';
  let fakerApi: FakerServer;
  let db: TestDatabase;
  let cwd: string;
  let app: Crmsync;
  let api: ApiServer;
  const events = new ListenerCountingTarget();
  const logged: string[] = [];
  const debugLog = createDebug.log;
  beforeAll(async () => {
    createDebug.enable('crmsync*');
    createDebug.log = (...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    };
    fakerApi = await faker.startFakerServer({ token: TOKEN, size: 50 });
    db = createSqliteTestDatabase();
    cwd = mkdtempSync(path.join(tmpdir(), 'crmsync-api-secret-'));
    app = await createCrmsync({
      cwd,
      database: db.url,
      plugins: [faker.fakerPlugin],
      env: { FAKER_BASE_URL: fakerApi.url, FAKER_TOKEN: TOKEN },
    });
    api = await startApiServer({
      runtime: apiRuntimeFromApp(app),
      host: '127.0.0.1',
      port: 0,
      env: {},
      eventTarget: events,
    });
  });
  afterAll(async () => {
    createDebug.log = debugLog;
    createDebug.disable();
    await api?.close();
    await app?.close();
    await fakerApi?.close();
    await db?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('is never returned by the API nor logged, through a whole sync', async () => {
    const client = createClient({ url: api.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    const texts: string[] = [];
    try {
      const all = collect<unknown>(
        client,
        'subscription { runFinished { runId status run { configuration errorMessage } } }',
        {},
        (i) => i.length >= 1,
      );
      const logs = collect<unknown>(
        client,
        'subscription { runEvents { message } }',
        {},
        (i) => i.length >= 1,
      );
      await events.listening(2);
      const started = await post(api, START, {
        input: { crm: 'faker', entity: 'all', batchSize: 25, pluginOptions: {} },
      });
      texts.push(started);
      expect(JSON.parse(started).data.startSync.__typename).toBe('MutationStartSyncSuccess');
      texts.push(JSON.stringify(await all.done), JSON.stringify(await logs.done));
      for (const query of [
        '{ crms { name configured configFields { name env secret } options { name default } entities { name status recordCount } } }',
        '{ runs { edges { node { id status configuration errorMessage performanceMetrics events { edges { node { message details } } } } } } }',
        '{ crmStatus { crm lastRun { configuration } } overview { activeRuns } errorAnalysis { recentFailures { errorMessage } } }',
        '{ systemHealth { crms { crm reachable message } } }',
        '{ records(crm: "faker", entity: "contacts", first: 50) { edges { node { data } } } }',
      ]) {
        // CRM health is checked in the background: this waits for a round to have answered.
        if (query.includes('systemHealth')) await api.health.refresh();
        texts.push(await post(api, query));
      }
      expect(texts[6]).toContain('"reachable":true');
      expect(texts[7]).toContain('"data"');
      for (const text of [...texts, ...logged]) expect(text).not.toContain(TOKEN);
    } finally {
      await client.dispose();
    }
  });
});
