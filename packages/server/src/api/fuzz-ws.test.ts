import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { seedRuns } from './test-seed.js';
import { startTestApi, type TestApi } from './test-support.js';

/**
 * Property-based, over graphql-ws: an arbitrary operation (text, variables) on one socket gets
 * a result or GraphQL errors, each with a code when it is about the request — never the socket
 * closed with 4500, an "Unexpected error.", or a dead server.
 */
const OPERATIONS = [
  'subscription($id: ID!) { runFinished(runId: $id) { runId status } }',
  'subscription($id: ID, $crm: String) { runProgress(runId: $id, crm: $crm) { runId } }',
  'query($crm: String!, $entity: String!, $first: Int) { records(crm: $crm, entity: $entity, first: $first) { totalCount } }',
  'query($id: ID!) { run(id: $id) { id status } }',
];

interface Answer {
  kind: 'next' | 'error' | 'complete' | 'closed';
  body: string;
}

describe('arbitrary operations over graphql-ws', () => {
  let t: TestApi;
  let finished: string;
  beforeAll(async () => {
    t = await startTestApi({ provider: 'sqlite' });
    [finished] = (await seedRuns(t.store.prisma, [
      { crm: 'callrail', entity: 'calls', status: 'success', startedMinutesAgo: 1 },
    ])) as [string];
  });
  afterAll(() => t?.close());

  /** One socket for the whole property: a 4500 close anywhere fails every later case. */
  function socket() {
    const ws = new WebSocket(t.api.wsUrl, 'graphql-transport-ws');
    const waiting = new Map<string, (answer: Answer) => void>();
    let closed: string | null = null;
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: unknown };
      const settle = message.id ? waiting.get(message.id) : undefined;
      if (!settle || message.type === 'complete') return;
      waiting.delete(message.id!);
      ws.send(JSON.stringify({ type: 'complete', id: message.id }));
      settle({ kind: message.type as Answer['kind'], body: JSON.stringify(message.payload) });
    });
    ws.on('close', (code, reason) => {
      closed = `${code} ${reason.toString()}`;
      for (const settle of waiting.values()) settle({ kind: 'closed', body: closed });
    });
    const ready = new Promise<void>((resolve) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
      ws.once('message', () => resolve());
    });
    let next = 0;
    return {
      ready,
      close: () => ws.close(),
      send(query: string, variables: unknown): Promise<Answer> {
        if (closed) return Promise.resolve({ kind: 'closed', body: closed });
        const id = String(++next);
        return new Promise((resolve) => {
          waiting.set(id, resolve);
          ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
          // A live subscription with nothing to report yet is an answer too.
          setTimeout(() => {
            if (!waiting.delete(id)) return;
            ws.send(JSON.stringify({ type: 'complete', id }));
            resolve({ kind: 'complete', body: 'listening' });
          }, 150);
        });
      },
    };
  }

  it('get a result or typed errors, and the socket stays open', async () => {
    const client = socket();
    await client.ready;
    const value = fc.oneof(
      fc.string({ maxLength: 16 }),
      fc.constantFrom(finished, 'no-such-run', 'callrail', 'calls', '__proto__', ''),
      fc.integer(),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const query = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...OPERATIONS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    );
    // An object, as the protocol requires (anything else is a 4400 close, by design).
    const variables = fc.oneof(
      fc.record({ id: value, crm: value, entity: value, first: value }, { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(query, variables, async (q, v) => {
        const answer = await client.send(q, v);
        expect(answer.kind, answer.body).not.toBe('closed');
        expect(answer.body).not.toContain('Unexpected error.');
        expect(answer.body).not.toContain('INTERNAL_SERVER_ERROR');
      }),
      { numRuns: 80 },
    );
    client.close();
  });
});
