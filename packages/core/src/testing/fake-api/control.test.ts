import { afterEach, describe, expect, it } from 'vitest';
import { mountControl } from './control.js';
import { FakeApi } from './server.js';
import { ok } from './types.js';

let api: FakeApi;
afterEach(() => api.close());

describe('fake API control endpoints', () => {
  it('queue faults for a path, move the clock and list the log, outside auth and the log', async () => {
    api = new FakeApi({ name: 'acme', auth: { kind: 'bearer', token: 't' } });
    api.get('/v1/leads', () => ok({ now: api.clock.now() }));
    api.get('/v1/users', () => ok({}));
    mountControl(api);
    const url = await api.listen();
    const auth = { headers: { authorization: 'Bearer t' } };
    const post = (path: string, body: unknown) =>
      fetch(`${url}/__fake${path}`, { method: 'POST', body: JSON.stringify(body) });

    expect((await post('/faults', [{ status: 503, times: 2, path: '/v1/leads' }])).status).toBe(
      200,
    );
    expect((await fetch(`${url}/v1/users`, auth)).status).toBe(200);
    expect((await fetch(`${url}/v1/leads`, auth)).status).toBe(503);
    await fetch(`${url}/__fake/faults`, { method: 'DELETE' });
    const moved = await post('/clock', { at: '2030-01-01T00:00:00Z' });
    expect(await moved.json()).toEqual({ now: '2030-01-01T00:00:00.000Z' });
    const leads = await fetch(`${url}/v1/leads`, auth);
    expect(await leads.json()).toEqual({ now: Date.parse('2030-01-01T00:00:00Z') });

    const log = (await (await fetch(`${url}/__fake/requests`)).json()) as Array<{
      path: string;
      status: number;
    }>;
    expect(log.map((r) => [r.path, r.status])).toEqual([
      ['/v1/users', 200],
      ['/v1/leads', 503],
      ['/v1/leads', 200],
    ]);
    const bad = await post('/faults', { status: 'soon' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/fake control: bad fault/);
  });
});
