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
  readonly #conflicts = new Map<string, Conflict>();

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
      this.#changes.set(change.id, change);
      open.set(recordKey(change), change);
      out.push(clone(change));
    }
    return out;
  }

  async listChanges(query: ChangeQuery = {}): Promise<LocalChange[]> {
    const candidates = query.ids
      ? query.ids.flatMap((id) => this.#changes.get(id) ?? [])
      : [...this.#changes.values()];
    const list = candidates.filter((c) => matches(c, query)).sort((a, b) => (a.id < b.id ? -1 : 1));
    return clone(query.limit === undefined ? list : list.slice(0, query.limit));
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
