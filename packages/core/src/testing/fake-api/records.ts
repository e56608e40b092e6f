import type { FakeClock } from './clock.js';

/** A record a fake serves: an id and the time it last changed. */
export interface FakeRecordBase {
  id: string;
}

export interface Tombstone {
  id: string;
  deletedAt: number;
}

/**
 * A fake's records, changed by tests: `add`, `change`, `delete`. Each change stamps the
 * record (in ms, on the fake's clock) so a fake can answer `updated_since` filters, and a
 * delete leaves a tombstone for APIs that report deletions.
 *
 * @example
 * const leads = new FakeRecords<Lead>(api.clock);
 * leads.add({ id: '1', email: 'a@example.com' });
 * leads.change('1', { email: 'b@example.com' });
 * leads.since(Date.parse('2026-01-01')); // records changed at or after
 */
export class FakeRecords<T extends FakeRecordBase> {
  readonly #items = new Map<string, { record: T; changedAt: number }>();
  readonly #deleted = new Map<string, Tombstone>();

  constructor(readonly clock: FakeClock) {}

  get size(): number {
    return this.#items.size;
  }

  add(record: T, at: Date | number = this.clock.now()): T {
    this.#deleted.delete(record.id);
    this.#items.set(record.id, { record, changedAt: +at });
    return record;
  }

  get(id: string): T | undefined {
    return this.#items.get(id)?.record;
  }

  changedAt(id: string): number | undefined {
    return this.#items.get(id)?.changedAt;
  }

  /** Merges `patch` into the record and stamps it; throws for an unknown id. */
  change(id: string, patch: Partial<T>, at: Date | number = this.clock.now()): T {
    const item = this.#items.get(id);
    if (!item) throw new Error(`fake has no record ${id} to change`);
    item.record = { ...item.record, ...patch };
    item.changedAt = +at;
    return item.record;
  }

  delete(id: string, at: Date | number = this.clock.now()): void {
    if (!this.#items.delete(id)) throw new Error(`fake has no record ${id} to delete`);
    this.#deleted.set(id, { id, deletedAt: +at });
  }

  /** Live records in insertion order. */
  all(): T[] {
    return [...this.#items.values()].map((i) => i.record);
  }

  /** Live records changed in `[since, before)`, oldest change first, then by id. */
  since(since?: number, before?: number): T[] {
    return [...this.#items.values()]
      .filter(
        (i) =>
          (since === undefined || i.changedAt >= since) &&
          (before === undefined || i.changedAt < before),
      )
      .sort((a, b) => a.changedAt - b.changedAt || compareIds(a.record.id, b.record.id))
      .map((i) => i.record);
  }

  /** Deletions at or after `since`, oldest first. */
  deletedSince(since = 0): Tombstone[] {
    return [...this.#deleted.values()]
      .filter((t) => t.deletedAt >= since)
      .sort((a, b) => a.deletedAt - b.deletedAt);
  }
}

/** Numeric ids in number order, others as text. */
export function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
}
