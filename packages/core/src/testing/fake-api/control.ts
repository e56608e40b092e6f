import { z } from 'zod';
import type { FakeApi } from './server.js';
import { FakeHttpError, ok } from './types.js';

const faultSchema = z.object({
  status: z.number().int().min(100).max(599).optional(),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  times: z.number().int().positive().optional(),
  after: z.number().int().nonnegative().optional(),
  stall: z.union([z.number().nonnegative(), z.literal('forever')]).optional(),
  /** Only requests whose path starts with this. */
  path: z.string().optional(),
});
const clockSchema = z.union([
  z.object({ advanceMs: z.number() }),
  z.object({ at: z.iso.datetime({ offset: true }) }),
]);

function parse<T>(schema: z.ZodType<T>, body: string, what: string): T {
  let value: unknown;
  try {
    value = body === '' ? {} : JSON.parse(body);
  } catch {
    throw new FakeHttpError(400, { error: `fake control: ${what} must be JSON` });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new FakeHttpError(400, { error: `fake control: bad ${what}: ${parsed.error.message}` });
  return parsed.data;
}

/**
 * Control endpoints, for a fake driven from another process (a benchmark child, a demo):
 * `POST {prefix}/faults` queues one fault or a list (`path` narrows it to a path prefix),
 * `DELETE {prefix}/faults` clears them, `POST {prefix}/clock` takes `{advanceMs}` or `{at}`,
 * `GET {prefix}/requests` lists the log. They skip the vendor's auth, limits and faults, and
 * are not logged.
 */
export function mountControl(api: FakeApi, prefix = '/__fake'): FakeApi {
  const open = { auth: false, log: false };
  return api
    .post(
      `${prefix}/faults`,
      (r) => {
        const faults = parse(z.union([faultSchema, z.array(faultSchema)]), r.body, 'fault');
        for (const { path, ...fault } of Array.isArray(faults) ? faults : [faults])
          api.fault(
            path === undefined ? fault : { ...fault, match: (q) => q.path.startsWith(path) },
          );
        return ok({ queued: api.faults.size });
      },
      open,
    )
    .route(
      'DELETE',
      `${prefix}/faults`,
      () => {
        api.faults.reset();
        return ok({ queued: 0 });
      },
      open,
    )
    .post(
      `${prefix}/clock`,
      (r) => {
        const move = parse(clockSchema, r.body, 'clock');
        if ('advanceMs' in move) api.clock.advance(move.advanceMs);
        else api.clock.set(Date.parse(move.at));
        return ok({ now: api.clock.date().toISOString() });
      },
      open,
    )
    .get(
      `${prefix}/requests`,
      () =>
        ok(
          api.requests.map((q) => ({
            ...q,
            query: q.query.toString(),
            at: new Date(q.at).toISOString(),
          })),
        ),
      open,
    );
}
