import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubspotPlugin } from '@crmsync/plugin-hubspot';
import { type FakeHubspotHandle, startFakeHubspot } from '@crmsync/plugin-hubspot/fake-server';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collect } from '../../test/api/test-support.js';
import { createSqliteTestDatabase, type TestDatabase } from '../../test/store/test-databases.js';
import { type Crmsync, createCrmsync } from '../app.js';
import { apiRuntimeFromApp } from './app-runtime.js';
import { type ApiServer, startApiServer } from './server.js';

const UPDATE = `mutation($input: UpdateRecordInput!) { updateRecord(input: $input) {
  __typename
  ... on FieldError { message field expected }
  ... on MutationUpdateRecordSuccess { data { change { id state recordId fields base reason } push { status written conflicts rejected run { id syncType mode } } } } } }`;
const PUSH = `mutation($crm: String!) { pushChanges(crm: $crm) {
  __typename ... on MutationPushChangesSuccess { data { status written conflicts rejected } } } }`;
const CONFLICTS = `query { conflicts(crm: "hubspot", first: 10) {
  edges { cursor node { id crm entity recordId fields { field base local remote } localModifiedAt remoteModifiedAt } }
  pageInfo { hasNextPage } } }`;
const RESOLVE = `mutation($id: ID!) { resolveConflict(id: $id, keep: remote) {
  __typename ... on FieldError { message }
  ... on MutationResolveConflictSuccess { data { conflict { resolution } change { state } push { written } } } } }`;
const PENDING = `query { pendingChanges(crm: "hubspot", states: [pending, synced], first: 2) {
  edges { node { recordId state } } pageInfo { hasNextPage endCursor } } }`;
const MASS = `mutation($input: MassUpdateInput!) { massUpdate(input: $input) {
  __typename ... on FieldError { message field }
  ... on MutationMassUpdateSuccess { data { runId total } } } }`;
const PROGRESS = `subscription { massUpdateProgress(crm: "hubspot") { runId operation total processed written unchanged } }`;

describe('GraphQL two-way sync against the HubSpot fake (SQLite)', () => {
  let hs: FakeHubspotHandle;
  let db: TestDatabase;
  let app: Crmsync;
  let api: ApiServer;
  const cwd = mkdtempSync(join(tmpdir(), 'crmsync-api-writes-'));
  const contact = (id: number) => hs.fake.objects('contacts').get(id)?.properties;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read by path in the assertions
  async function gql<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<T> {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }

  beforeAll(async () => {
    hs = await startFakeHubspot({ counts: { contacts: 30 }, rateLimit: null });
    db = createSqliteTestDatabase();
    app = await createCrmsync({
      cwd,
      database: db.url,
      plugins: [hubspotPlugin],
      env: { HUBSPOT_ACCESS_TOKEN: hs.fake.accessToken, HUBSPOT_BASE_URL: hs.baseUrl },
      log: { sink: () => {} },
    });
    const [run] = await app.sync('hubspot', 'contacts', { full: true });
    expect(run?.status).toBe('success');
    api = await startApiServer({
      runtime: apiRuntimeFromApp(app),
      host: '127.0.0.1',
      port: 0,
      env: {},
    });
  });
  afterAll(async () => {
    await api?.close();
    await app?.close();
    await hs?.close();
    await db?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('updateRecord writes at once; a bad value is a FieldError naming the field and its options', async () => {
    const ok = await gql(UPDATE, {
      input: { crm: 'hubspot', entity: 'contacts', id: '1', values: { firstname: 'Api' } },
    });
    expect(ok.updateRecord.data).toMatchObject({
      change: { state: 'synced', recordId: '1', fields: { firstname: 'Api' } },
      push: { status: 'success', written: 1, run: { syncType: 'push:contacts', mode: 'push' } },
    });
    expect(contact(1)?.firstname).toBe('Api');
    const bad = await gql(UPDATE, {
      input: { crm: 'hubspot', entity: 'contacts', id: '1', values: { lifecyclestage: 'x' } },
    });
    expect(bad.updateRecord).toMatchObject({ __typename: 'FieldError', field: 'lifecyclestage' });
    expect(bad.updateRecord.expected).toMatch(/^one of subscriber, lead, /);
    const readOnly = await gql(UPDATE, {
      input: { crm: 'hubspot', entity: 'owners', id: '101', values: { email: 'a@b.co' } },
    });
    expect(readOnly.updateRecord).toMatchObject({ __typename: 'FieldError', field: 'entity' });
  });

  it('conflicts and pendingChanges are connections; resolveConflict keeps the remote side', async () => {
    const recorded = await gql(UPDATE, {
      input: {
        crm: 'hubspot',
        entity: 'contacts',
        id: '2',
        values: { lastname: 'Mine' },
        push: false,
      },
    });
    expect(recorded.updateRecord.data).toMatchObject({
      change: { state: 'pending', base: { lastname: contact(2)?.lastname } },
      push: null,
    });
    hs.fake.objects('contacts').touch([2], new Date(), (o) => {
      o.properties.lastname = 'Theirs';
    });
    const pushed = await gql(PUSH, { crm: 'hubspot' });
    expect(pushed.pushChanges.data).toEqual([
      { status: 'partial', written: 0, conflicts: 1, rejected: 0 },
    ]);
    const conflicts = await gql(CONFLICTS);
    expect(conflicts.conflicts.edges).toHaveLength(1);
    const node = conflicts.conflicts.edges[0].node;
    expect(node).toMatchObject({
      crm: 'hubspot',
      entity: 'contacts',
      recordId: '2',
      fields: [{ field: 'lastname', local: 'Mine', remote: 'Theirs' }],
    });
    expect(typeof node.remoteModifiedAt).toBe('string');
    const resolved = await gql(RESOLVE, { id: node.id });
    expect(resolved.resolveConflict.data).toEqual({
      conflict: { resolution: 'remote' },
      change: { state: 'synced' },
      push: null,
    });
    expect((await app.store.getRecord('hubspot', 'contacts', '2'))?.data.lastname).toBe('Theirs');
    expect((await gql(CONFLICTS)).conflicts.edges).toEqual([]);
    const again = await gql(RESOLVE, { id: node.id });
    expect(again.resolveConflict.__typename).toBe('FieldError');
    const pending = await gql(PENDING);
    expect(
      pending.pendingChanges.edges.map((e: { node: { recordId: string } }) => e.node.recordId),
    ).toEqual(['1', '2']);
    expect(pending.pendingChanges.pageInfo.hasNextPage).toBe(false);
  });

  it('massUpdate runs in the background with live progress and ends with every record written', async () => {
    const client = createClient({
      url: api.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
    try {
      const ids = Array.from({ length: 25 }, (_, i) => String(i + 5));
      // Records already at the value are not written again.
      const already = ids.filter((id) => contact(Number(id))?.lifecyclestage === 'customer').length;
      const progress = collect<{
        massUpdateProgress: {
          runId: string;
          total: number;
          processed: number;
          written: number;
          unchanged: number;
        };
      }>(client, PROGRESS, {}, (items) => items.some((i) => i.massUpdateProgress.processed === 25));
      await new Promise((r) => setTimeout(r, 200));
      const started = await gql(MASS, {
        input: { crm: 'hubspot', entity: 'contacts', set: { lifecyclestage: 'customer' }, ids },
      });
      expect(started.massUpdate.data.total).toBe(25);
      const items = await progress.done;
      expect(items.at(-1)?.massUpdateProgress).toMatchObject({
        runId: started.massUpdate.data.runId,
        operation: 'mass-update',
        total: 25,
        processed: 25,
        written: 25 - already,
        unchanged: already,
      });
      expect(ids.map((id) => contact(Number(id))?.lifecyclestage)).toEqual(
        ids.map(() => 'customer'),
      );
      const bad = await gql(MASS, {
        input: { crm: 'hubspot', entity: 'contacts', set: { lifecyclestage: 'customer' } },
      });
      expect(bad.massUpdate).toMatchObject({ __typename: 'FieldError', field: 'records' });
    } finally {
      await client.dispose();
    }
  });
});
