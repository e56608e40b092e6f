import { z } from 'zod';
import { compilePath } from '../mapping/path.js';
import type {
  Checkpoint,
  EntityDefinition,
  FetchRequest,
  Page,
  PluginOptionSpec,
} from '../contracts/plugin.js';

/**
 * How an entity whose API filters by change time is read in parallel time slices.
 *
 * The read's range is cut into `slices` equal spans of change time, each read by the entity's
 * own `fetch` with that span as its `since`/`until` — so the entity must honour both bounds
 * exactly (since inclusive, until exclusive; `restEntity` does, whatever the API's rounding).
 * Several spans are read at once, sharing the run's client and so its rate limiter: the CRM's
 * rate and concurrency budget holds across slices.
 */
export interface TimeSlicing<Client> {
  /** Spans read at once unless the run's `slices` plugin option says otherwise. Default 4. */
  slices?: number;
  /**
   * The oldest change time there is (the first record by change time), for a read without a
   * `since` (a first sync, `--full`): the spans divide [origin, end of the read). Undefined
   * when the entity has no records — the read then goes unsliced.
   */
  origin(client: Client, request: FetchRequest): Promise<Date | undefined>;
  /**
   * The most records one filtered query of the CRM can return (HubSpot's search stops at
   * 10,000). A span whose first page reports (`estimatedTotal`) more splits in two before any
   * of it is kept, down to `minSpanMs`.
   */
  cap?: number;
  /** The narrowest span that may still split. Default 1 s. */
  minSpanMs?: number;
}

/** The plugin option a sliced entity reads its slice count from (`--slices 8`; 1 = off). */
export const slicesOption: PluginOptionSpec = {
  type: 'integer',
  min: 1,
  max: 32,
  description:
    'Time slices read at once for entities that filter by change time (1 reads one cursor chain)',
};

const span = z.strictObject({
  since: z.iso.datetime().optional(),
  until: z.iso.datetime(),
  done: z.literal(true).optional(),
  /** The entity's own checkpoint within the span: the last page written from it. */
  at: z.record(z.string(), z.unknown()).optional(),
});
/** A sliced read's position: every span's own checkpoint, and which spans are done. */
export const slicedCheckpoint = z.strictObject({
  sliced: z.strictObject({ spans: z.array(span) }),
});
type Span = z.infer<typeof span>;
export type SlicedCheckpoint = z.infer<typeof slicedCheckpoint>;

/** One span being read: its pages come one at a time (the next is fetched once this is taken). */
interface Runner {
  span: Span;
  iterator: AsyncIterator<Page<unknown, Checkpoint>>;
  pending?: Promise<{ runner: Runner; result: IteratorResult<Page<unknown, Checkpoint>> }>;
  /** Whether a page of this span has been handed on (it may no longer split). */
  started: boolean;
}

/**
 * The entity read in parallel time slices when its run asks for more than one (the plugin
 * option `slices`, else `slicing.slices`). A record is read by the one span its change time
 * falls in; the read's end is pinned when it starts (now, for an open read), so a record
 * changed during the read leaves every span rather than entering another one — it is read once,
 * or by the next delta (which starts before this run did), never twice. Each page carries every
 * span's checkpoint: a crashed run resumes each span where its last written page left it.
 */
export function slicedEntity<Client, Raw, Cp extends Checkpoint>(
  entity: EntityDefinition<Client, Raw, Cp>,
  slicing: TimeSlicing<Client>,
): EntityDefinition<Client, Raw, Cp | SlicedCheckpoint> {
  if (entity.delta.kind !== 'updated-since' && entity.delta.kind !== 'created-since')
    throw new Error(
      `slicedEntity(${entity.name}): slicing needs a delta by change time (updated-since or created-since), not ${entity.delta.kind}`,
    );
  const own = entity.checkpoint ?? z.record(z.string(), z.unknown());
  const checkpoint = z.union([slicedCheckpoint, own]) as z.ZodType<Cp | SlicedCheckpoint>;
  const minSpan = slicing.minSpanMs ?? 1_000;
  const idOf = compilePath(entity.fields[entity.primaryKey]?.source ?? entity.primaryKey);
  return {
    ...entity,
    checkpoint,
    async *fetch(client, request) {
      const resume = request.checkpoint;
      const asked = Number(request.options.slices ?? slicing.slices ?? 4);
      const count = Number.isInteger(asked) && asked > 0 ? asked : 1;
      const sliced = resume && 'sliced' in resume ? (resume as SlicedCheckpoint) : undefined;
      let spans: Span[];
      if (sliced) spans = sliced.sliced.spans;
      else if (resume || count <= 1) {
        // Unsliced, or resuming an unsliced read: the entity's own read.
        yield* entity.fetch(client, request as FetchRequest<Cp>);
        return;
      } else {
        const until = request.until ?? new Date();
        const from = request.since ?? (await slicing.origin(client, request));
        if (!from || from.getTime() >= until.getTime()) {
          yield* entity.fetch(client, { ...request, until } as FetchRequest<Cp>);
          return;
        }
        // The first span starts at the read's since, else at the oldest record: none is older.
        spans = divide(from.getTime(), until.getTime(), count).map(([s, u]) => ({
          since: new Date(s).toISOString(),
          until: new Date(u).toISOString(),
        }));
      }
      yield* readSpans(client, request, spans, count);
    },
  };

  async function* readSpans(
    client: Client,
    request: FetchRequest<Cp | SlicedCheckpoint>,
    spans: Span[],
    count: number,
  ): AsyncGenerator<Page<Raw, Cp | SlicedCheckpoint>> {
    const stop = new AbortController();
    const onAbort = () => stop.abort(request.signal.reason);
    request.signal.addEventListener('abort', onAbort, { once: true });
    const signal = AbortSignal.any([request.signal, stop.signal]);
    const waiting = spans.filter((s) => !s.done);
    const running = new Set<Runner>();
    const start = (s: Span): Runner => {
      const sub = {
        ...request,
        signal,
        since: s.since ? new Date(s.since) : undefined,
        until: new Date(s.until),
        checkpoint: s.at,
      } as FetchRequest<Cp>;
      if (!s.since) delete sub.since;
      if (!s.at) delete sub.checkpoint;
      const runner: Runner = {
        span: s,
        iterator: entity.fetch(client, sub)[Symbol.asyncIterator]() as Runner['iterator'],
        started: s.at !== undefined,
      };
      pull(runner);
      running.add(runner);
      return runner;
    };
    const pull = (runner: Runner) => {
      const pending = runner.iterator.next().then((result) => ({ runner, result }));
      // A span can fail while this generator is suspended at a yield, before the next race
      // listens: mark the rejection handled here (else Node reports it unhandled and, by
      // default, ends the process); the race below still receives and rethrows it.
      pending.catch(() => undefined);
      runner.pending = pending;
    };
    // Ids read so far: a record changed during the read leaves its span for a time past the
    // pinned end — but a CRM stamping whole seconds can stamp it inside the last span, which
    // would read it again. (After a resume this run's earlier reads are not known: a record
    // read again then is an update of an unchanged row, never a second creation.)
    const seen = new Set<string>();
    const position = (): SlicedCheckpoint => ({
      sliced: { spans: spans.map((s) => ({ ...s })) },
    });
    try {
      while (waiting.length || running.size) {
        while (running.size < count && waiting.length) start(waiting.shift() as Span);
        const { runner, result } = await Promise.race(
          [...running].map((r) => r.pending as NonNullable<Runner['pending']>),
        );
        if (result.done) {
          running.delete(runner);
          runner.span.done = true;
          delete runner.span.at;
          continue;
        }
        const page = result.value;
        const s = runner.span;
        const width = Date.parse(s.until) - (s.since ? Date.parse(s.since) : 0);
        if (
          slicing.cap !== undefined &&
          !runner.started &&
          s.since &&
          (page.estimatedTotal ?? 0) > slicing.cap &&
          width >= 2 * minSpan
        ) {
          // Past the vendor's cap: drop this page unkept and read the span as two halves.
          running.delete(runner);
          await runner.iterator.return?.();
          const mid = new Date(Date.parse(s.since) + Math.floor(width / 2)).toISOString();
          const halves: Span[] = [
            { since: s.since, until: mid },
            { since: mid, until: s.until },
          ];
          spans.splice(spans.indexOf(s), 1, ...halves);
          waiting.unshift(...halves);
          continue;
        }
        runner.started = true;
        if (page.checkpoint) s.at = page.checkpoint;
        pull(runner);
        const { estimatedTotal: _total, checkpoint: _cp, records, ...rest } = page;
        const fresh = (records as Raw[]).filter((r) => {
          const id = String(idOf(r));
          if (seen.has(id)) return false;
          seen.add(id);
          return true;
        });
        yield { ...(rest as Omit<Page<Raw>, 'records'>), records: fresh, checkpoint: position() };
      }
    } finally {
      request.signal.removeEventListener('abort', onAbort);
      if (running.size) {
        stop.abort(new Error('the sliced read ended'));
        await Promise.allSettled(
          [...running].map(async (r) => {
            await r.pending?.catch(() => undefined);
            await r.iterator.return?.();
          }),
        );
      }
    }
  }
}

/** [from, until) in `count` spans of equal width, on whole seconds where they are wide enough. */
function divide(from: number, until: number, count: number): Array<[number, number]> {
  const width = (until - from) / count;
  const spans: Array<[number, number]> = [];
  let start = from;
  for (let i = 1; i <= count; i++) {
    let end = i === count ? until : from + Math.round(width * i);
    if (width >= 2_000 && i < count) end = Math.floor(end / 1000) * 1000;
    if (end <= start) continue;
    spans.push([start, end]);
    start = end;
  }
  return spans;
}
