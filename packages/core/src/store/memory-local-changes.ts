import type {
  ChangeQuery,
  ChangeUpdate,
  Conflict,
  ConflictQuery,
  LocalChange,
  LocalChangeStore,
  NewConflict,
  NewLocalChange,
} from '../contracts/local-changes.js';
import { mergeIntoChange, newChangeId, OPEN_CHANGE_STATES, recordKey } from './change-merge.js';

const clone = <T>(value: T): T => structuredClone(value);

function matches(c: LocalChange, q: ChangeQuery): boolean {
  return (
    (q.crmSource === undefined || c.crmSource === q.crmSource) &&
    (q.entity === undefined || c.entity === q.entity) &&
    (q.states === undefined || q.states.includes(c.state)) &&
    (q.recordIds === undefined || q.recordIds.includes(c.recordId)) &&
    (q.ids === undefined || q.ids.includes(c.id)) &&
    (q.after === undefined || c.id > q.after)
  );
}

/** Local changes and conflicts in process memory (MemoryStore's `localChanges`). */
export class MemoryLocalChanges implements LocalChangeStore {
  readonly #changes = new Map<string, LocalChange>();
  /** Every change id in id order, as a database's index keeps them: a page is a slice of it. */
  readonly #ids: string[] = [];
  readonly #conflicts = new Map<string, Conflict>();

  /** Where `id` is or would go in `#ids`, past every id at or before `id` when `past`. */
  #position(id: string, past = false): number {
    let low = 0;
    let high = this.#ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const at = this.#ids[mid] as string;
      if (at < id || (past && at === id)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #add(change: LocalChange): void {
    if (!this.#changes.has(change.id)) {
      // New ids sort last (creation order), so this is an append but for a clock step back.
      const last = this.#ids.at(-1);
      if (last === undefined || last < change.id) this.#ids.push(change.id);
      else this.#ids.splice(this.#position(change.id), 0, change.id);
    }
    this.#changes.set(change.id, change);
  }

  async recordChanges(changes: readonly NewLocalChange[]): Promise<LocalChange[]> {
    const open = new Map<string, LocalChange>();
    for (const c of this.#changes.values())
      if (OPEN_CHANGE_STATES.includes(c.state)) open.set(recordKey(c), c);
    const out: LocalChange[] = [];
    for (const input of changes) {
      const now = new Date();
      const existing = open.get(recordKey(input));
      let change: LocalChange;
      if (existing) {
        change = { ...existing, ...clone(mergeIntoChange(existing, input)), updatedAt: now };
      } else {
        change = {
          id: newChangeId(now.getTime()),
          crmSource: input.crmSource,
          entity: input.entity,
          recordId: input.recordId,
          fields: clone(input.fields),
          base: clone(input.base),
          baseRemoteModifiedAt: input.baseRemoteModifiedAt,
          author: input.author,
          state: 'pending',
          reason: null,
          createdAt: now,
          updatedAt: now,
          runId: null,
        };
      }
      this.#add(change);
      open.set(recordKey(change), change);
      out.push(clone(change));
    }
    return out;
  }

  async listChanges(query: ChangeQuery = {}): Promise<LocalChange[]> {
    if (query.ids) {
      const list = query.ids
        .flatMap((id) => this.#changes.get(id) ?? [])
        .filter((c) => matches(c, query))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      return clone(query.limit === undefined ? list : list.slice(0, query.limit));
    }
    // In id order from the first id past `after`, up to `limit`: a push's pages cost what
    // they hold, not the whole table filtered and sorted again.
    const list: LocalChange[] = [];
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const from = query.after === undefined ? 0 : this.#position(query.after, true);
    for (let i = from; i < this.#ids.length && list.length < limit; i++) {
      const change = this.#changes.get(this.#ids[i] as string) as LocalChange;
      if (matches(change, query)) list.push(change);
    }
    return clone(list);
  }

  async countChanges(query: ChangeQuery = {}): Promise<number> {
    return [...this.#changes.values()].filter((c) => matches(c, query)).length;
  }

  async getChange(id: string): Promise<LocalChange | null> {
    const c = this.#changes.get(id);
    return c ? clone(c) : null;
  }

  async updateChanges(ids: readonly string[], update: ChangeUpdate): Promise<number> {
    let n = 0;
    const now = new Date();
    for (const id of ids) {
      const c = this.#changes.get(id);
      if (!c) continue;
      c.state = update.state;
      if (update.reason !== undefined) c.reason = update.reason;
      if (update.runId !== undefined) c.runId = update.runId;
      if (update.fields) c.fields = clone(update.fields);
      if (update.base) c.base = clone(update.base);
      c.updatedAt = now;
      n++;
    }
    return n;
  }

  async recordConflict(input: NewConflict): Promise<Conflict> {
    const change = this.#changes.get(input.changeId);
    if (!change) throw new Error(`no local change ${input.changeId}`);
    const now = new Date();
    const conflict: Conflict = {
      id: newChangeId(now.getTime()),
      changeId: change.id,
      crmSource: change.crmSource,
      entity: change.entity,
      recordId: change.recordId,
      fields: clone(input.fields),
      localModifiedAt: input.localModifiedAt,
      remoteModifiedAt: input.remoteModifiedAt,
      createdAt: now,
      resolvedAt: null,
      resolution: null,
    };
    this.#conflicts.set(conflict.id, conflict);
    change.state = 'conflict';
    change.updatedAt = now;
    return clone(conflict);
  }

  async listConflicts(query: ConflictQuery = {}): Promise<Conflict[]> {
    const list = [...this.#conflicts.values()]
      .filter(
        (c) =>
          (query.crmSource === undefined || c.crmSource === query.crmSource) &&
          (query.includeResolved === true || c.resolvedAt === null) &&
          (query.after === undefined || c.id > query.after),
      )
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return clone(query.limit === undefined ? list : list.slice(0, query.limit));
  }

  async getConflict(id: string): Promise<Conflict | null> {
    const c = this.#conflicts.get(id);
    return c ? clone(c) : null;
  }

  async markResolved(
    id: string,
    resolution: 'local' | 'remote' | 'value',
    at = new Date(),
  ): Promise<boolean> {
    const c = this.#conflicts.get(id);
    if (!c || c.resolvedAt) return false;
    c.resolvedAt = at;
    c.resolution = resolution;
    return true;
  }
}
