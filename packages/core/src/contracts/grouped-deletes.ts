/** Groups of an entity's records, by the values of some of their fields (see softDeleteMissingInGroups). */
export interface RecordGroups {
  fields: readonly string[];
  /** Each group's values of `fields`, in the same order, as text. */
  groups: ReadonlyArray<readonly string[]>;
}

/**
 * An optional capability a store offers or not (`Store.groupedDeletes`): how a read that
 * returns groups whole (`EntityDefinition.groupedBy`) removes what the CRM removed. On a store
 * without it the engine warns and deletes nothing.
 */
export interface GroupedDeletes {
  /**
   * Soft-deletes every live record of the entity that belongs to one of `groups` — its values of
   * `fields` (as text: a number 5 is "5"; a missing or null value is in no group) equal the
   * group's, in order — and whose id is not in `keep`.
   */
  softDeleteMissingInGroups(
    crmSource: string,
    entity: string,
    scope: RecordGroups,
    keep: ReadonlySet<string>,
    runId: string,
    now?: Date,
  ): Promise<number>;
}
