import { CrmsyncError } from '../contracts/errors.js';
import type { Page } from '../contracts/plugin.js';
import { groupKey } from '../store/groups.js';
import type { RunContext } from './run-context.js';

/**
 * What a run soft-deletes beyond the ids a page names: the records a complete read did not
 * return (full-read detection), or those missing from the groups a page returned whole
 * (EntityDefinition.groupedBy).
 */
export class DeletionTracker {
  readonly #ctx: RunContext;
  readonly #readsAll: boolean;
  readonly #grouped: readonly string[] | null;
  readonly #completeGroups: Map<string, readonly string[]> | null;
  /** Ids read, when rows a complete read did not return are to be soft-deleted after it. */
  readonly seen: Set<string> | null;

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
    const { entity } = ctx.in;
    const mode = ctx.plan.mode;
    this.#readsAll =
      entity.delta.kind === 'none' ||
      (entity.fullReadDetectsDeletes === true && (mode === 'full' || mode === 'force'));
    // Groups of records a read returned whole, to remove what the CRM removed from them; read
    // fully, a readsAll entity removes it anyway.
    this.#grouped = entity.groupedBy?.length ? entity.groupedBy : null;
    this.#completeGroups = this.#grouped ? new Map<string, readonly string[]>() : null;
    this.seen = this.#readsAll || this.#grouped ? new Set<string>() : null;
  }

  /**
   * Notes a page's whole groups. A page's groups count only when every record of it was read
   * and kept: a group cut by --max-records, or with a record that failed mapping or
   * validation, is not whole.
   */
  notePage(page: Page, keptAll: boolean) {
    const grouped = this.#grouped;
    if (grouped && this.#completeGroups && page.completeGroups && keptAll) {
      for (const group of this.#checkGroups(page.completeGroups, grouped))
        this.#completeGroups.set(groupKey(group), group);
    }
  }

  /** After the read: soft-deletes what it proved gone, if anything. */
  async finish(read: { complete: boolean; resumed: boolean; notModified: boolean }) {
    const ctx = this.#ctx;
    const { seen } = this;
    const grouped = this.#grouped;
    const dryRun = ctx.in.options.dryRun;
    const fullRead = ctx.plan.mode !== 'start-date' && !ctx.plan.until && !read.resumed;
    const deletesMissing = this.#readsAll && read.complete && fullRead && !read.notModified;
    if (seen && deletesMissing && !dryRun) {
      ctx.counts.deleted += await ctx.storeCall('soft-deleting missing records', () =>
        ctx.s.store.softDeleteMissing(ctx.crm, ctx.entityName, seen, ctx.run.id),
      );
    } else if (seen && grouped && this.#completeGroups?.size && !dryRun) {
      // Each listed group's records were all in the page that listed it, so this holds for a
      // capped or resumed read too (their pages' records are in `seen`).
      await this.#deleteMissingInGroups(grouped, [...this.#completeGroups.values()], seen);
    }
  }

  /** A page's `completeGroups`, refused with a clear message unless each is [...fields] as text. */
  #checkGroups(groups: unknown, fields: readonly string[]): Array<readonly string[]> {
    const ctx = this.#ctx;
    const valid =
      Array.isArray(groups) &&
      groups.every(
        (group) =>
          Array.isArray(group) &&
          group.length === fields.length &&
          group.every((value) => typeof value === 'string'),
      );
    if (!valid) {
      throw new CrmsyncError(
        'data',
        `${ctx.crm} ${ctx.entityName}: page ${ctx.telemetry.pages} lists completeGroups that are not [${fields.join(', ')}] values as text (got ${JSON.stringify(groups)?.slice(0, 120)})`,
        { crm: ctx.crm, entity: ctx.entityName },
      );
    }
    return groups as Array<readonly string[]>;
  }

  async #deleteMissingInGroups(
    fields: readonly string[],
    groups: Array<readonly string[]>,
    keep: ReadonlySet<string>,
  ) {
    const ctx = this.#ctx;
    const grouping = ctx.s.store.groupedDeletes;
    if (!grouping) {
      ctx.log(
        'warn',
        `${ctx.crm} ${ctx.entityName}: records the CRM removed from ${groups.length} group(s) stay live: the store cannot soft-delete by group (groupedDeletes); a full sync removes them`,
      );
      return;
    }
    ctx.counts.deleted += await ctx.storeCall('soft-deleting missing records', () =>
      grouping.softDeleteMissingInGroups(
        ctx.crm,
        ctx.entityName,
        { fields, groups },
        keep,
        ctx.run.id,
      ),
    );
  }
}
