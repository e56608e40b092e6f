import { expect } from 'vitest';
import { planRun } from '../engine/plan.js';
import type { KitContext } from './plugin-kit-context.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A maximum page size the entity declares (`pageSize.max` of a declarative entity), if any. */
function declaredMaxPageSize(definition: object): number | undefined {
  const pageSize: unknown = Reflect.get(definition, 'pageSize');
  const max = typeof pageSize === 'object' && pageSize ? Reflect.get(pageSize, 'max') : undefined;
  return typeof max === 'number' ? max : undefined;
}

/**
 * The scenarios that catch a plugin which reads its first page right but not what follows:
 * the cursor followed to the end, the page size asked and capped, `--end-date`, records on
 * the since/until bounds, resume from a checkpoint, deletions, custom fields, wrong
 * credentials.
 */
export function describeStrictScenarios(kit: KitContext): void {
  const { size, definition, own } = kit;
  const deltaKind = definition.delta.kind;
  const noBounds = deltaKind === 'none' && 'the entity has no delta: every read is the whole set';
  const maxPageSize = own.maxPageSize ?? declaredMaxPageSize(definition);
  const stored = async (id: string) => (await kit.record(id)) !== null;

  kit.scenario('cursor', 'small pages are followed to the last one', async () => {
    await kit.start();
    const batch = Math.max(2, Math.ceil(size / 5));
    const run = await kit.sync({ batchSize: batch });
    expect(run.errorMessage).toBeNull();
    expect(run.counts.processed, `records read in pages of ${batch}`).toBe(size);
    expect(await kit.count()).toBe(size);
    expect(run.performanceMetrics?.pages).toBeGreaterThanOrEqual(Math.ceil(size / batch));
  });

  kit.scenario(
    'page-size',
    '--batch-size above the largest page the CRM serves asks for that largest page',
    async () => {
      const f = await kit.start();
      const max = maxPageSize ?? 0;
      const run = await kit.sync({ batchSize: max + 50 });
      expect(run.errorMessage).toBeNull();
      const sizes = f.requestedPageSizes();
      expect(sizes.length).toBeGreaterThan(0);
      expect(sizes, `every page asked for ${max}, the CRM's maximum`).toEqual(sizes.map(() => max));
      expect(run.counts.processed).toBe(size);
    },
    maxPageSize === undefined && 'the entity declares no maximum page size',
  );

  kit.scenario(
    'end-date',
    '--end-date reads nothing changed after the end of that day',
    async () => {
      const f = await kit.start();
      const now = Date.now();
      const endDate = new Date(Math.floor((now - 5 * DAY) / DAY) * DAY);
      const until = planRun({
        delta: definition.delta,
        options: { endDate },
        lastSuccessfulRun: null,
      }).until as Date;
      const [before] = await f.addRecords(1, new Date(until.getTime() - 60 * MINUTE));
      const after = await f.addRecords(1, new Date(until.getTime() + 60 * MINUTE));
      const recent = await f.addRecords(1, new Date(now - 10 * MINUTE));
      const run = await kit.sync({ endDate });
      expect(run.errorMessage).toBeNull();
      expect(
        await stored(before as string),
        `a record changed an hour before ${until.toISOString()}`,
      ).toBe(true);
      for (const id of [...after, ...recent])
        expect(
          await stored(id),
          `record ${id}, changed after --end-date ${until.toISOString()}`,
        ).toBe(false);
    },
    noBounds,
  );

  kit.scenario(
    'boundaries',
    'records exactly on the since and until bounds are read as the plugin declares them',
    async () => {
      const f = await kit.start();
      const bounds = own.bounds ?? { since: 'inclusive', until: 'exclusive' };
      const startDate = new Date(Math.floor((Date.now() - 20 * DAY) / MINUTE) * MINUTE);
      const endDate = new Date(startDate.getTime() + 3 * DAY);
      const plan = planRun({
        delta: definition.delta,
        options: { startDate, endDate },
        lastSuccessfulRun: null,
      });
      const since = (plan.since as Date).getTime();
      const until = (plan.until as Date).getTime();
      // Half a minute either side, so a bound moved by a minute either way is caught.
      const cases: Array<[string, number, boolean]> = [
        ['half a minute before since', since - MINUTE / 2, false],
        ['exactly on since', since, bounds.since === 'inclusive'],
        ['half a minute after since', since + MINUTE / 2, true],
        ['half a minute before until', until - MINUTE / 2, true],
        ['exactly on until', until, bounds.until === 'inclusive'],
        ['half a minute after until', until + MINUTE / 2, false],
      ];
      const ids: string[] = [];
      for (const [, at] of cases) ids.push(...(await f.addRecords(1, new Date(at))));
      const run = await kit.sync({ startDate, endDate });
      expect(run.errorMessage).toBeNull();
      const seen = await Promise.all(ids.map(stored));
      const got = cases.map(
        ([what, at], i) =>
          `${what} (${new Date(at).toISOString()}): ${seen[i] ? 'read' : 'not read'}`,
      );
      const want = cases.map(
        ([what, at, read]) =>
          `${what} (${new Date(at).toISOString()}): ${read ? 'read' : 'not read'}`,
      );
      expect(got).toEqual(want);
    },
    noBounds,
  );

  kit.scenario(
    'resume',
    'a run interrupted after a page resumes after it, reading no earlier page again',
    async () => {
      await kit.start();
      const batch = Math.max(2, Math.ceil(size / 6));
      const stop = new AbortController();
      const first = await kit.sync(
        { batchSize: batch },
        {
          signal: stop.signal,
          onEvent: (e) => {
            if (e.type === 'run-progress' && e.pages >= 2)
              stop.abort(new Error('the kit stops the run'));
          },
        },
      );
      expect(first.status, 'the interrupted run').toBe('failed');
      const written = await kit.count();
      expect(written, 'records written before the interruption').toBeGreaterThan(0);
      expect(written).toBeLessThan(size);
      expect(first.checkpoint, 'the checkpoint of the last page written').not.toBeNull();
      const second = await kit.sync({ batchSize: batch });
      expect(second.errorMessage).toBeNull();
      expect(second.resumedFromRunId).toBe(first.id);
      expect(second.counts.processed, 'records the resumed run read').toBe(size - written);
      expect(second.counts.created).toBe(size - written);
      expect(await kit.count()).toBe(size);
    },
  );

  kit.scenario(
    'deletes',
    'a record removed at the CRM ends soft-deleted, the rest stay',
    async () => {
      await kit.start();
      const remove = kit.need('deletes', 'remove');
      expect((await kit.sync()).status).toBe('success');
      const removed = await remove(3);
      expect(removed).toHaveLength(3);
      const on = own.deletesOn ?? (definition.fullReadDetectsDeletes ? 'full' : 'delta');
      const run = await kit.sync(on === 'full' ? { full: true } : {});
      expect(run.errorMessage).toBeNull();
      expect(run.counts.deleted, `records soft-deleted by a ${on} read`).toBe(3);
      for (const id of removed)
        expect(
          (await kit.record(id))?.deletedAt,
          `record ${id}, removed at the CRM`,
        ).toBeInstanceOf(Date);
      expect(await kit.count()).toBe(size - 3);
    },
  );

  kit.scenario('custom-fields', 'a field the CRM account defines is stored', async (skip) => {
    const f = await kit.start();
    if (!f.setCustomField) {
      return skip(
        'the entity has no fields an account defines (its fixture has no setCustomField)',
      );
    }
    const ids = await f.addRecords(2, new Date(Date.now() - 10 * MINUTE));
    const value = `kit-custom-${size}`;
    const field = await f.setCustomField(ids, value);
    expect((await kit.sync()).errorMessage).toBeNull();
    for (const id of ids)
      expect((await kit.record(id))?.data[field], `${field} of ${id}`).toBe(value);
  });

  kit.scenario('auth', 'wrong credentials fail the run as auth, with nothing written', async () => {
    await kit.start();
    const bad = kit.need('auth', 'badCredentials');
    const run = await kit.sync({}, { config: bad });
    expect(run).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(await kit.count({ includeDeleted: true })).toBe(0);
    for (const value of Object.values(bad))
      if (typeof value === 'string' && value.length >= 8)
        expect(run.errorMessage).not.toContain(value);
  });
}
