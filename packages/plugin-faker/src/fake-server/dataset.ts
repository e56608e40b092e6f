import { mix } from './pools.js';
import type { FakerEntity, FakerRecord } from '../types.js';
import { fakeRecord } from './records.js';

export interface DatasetOptions {
  seed?: number;
  /** Records per entity; a number sets contacts and activities, with fewer companies and deals. */
  size?: number | Partial<Record<FakerEntity, number>>;
  /** Base records are spread over the `spanDays` before this moment. */
  anchor?: Date;
  spanDays?: number;
  /**
   * Simulated edits: each record is edited once every `size / changesPerMinute` minutes, at its
   * own phase, so any moment has a steady trickle of changes (0 = records change only when told).
   */
  changesPerMinute?: number;
  now?: () => number;
}

interface Moved {
  id: number;
  updated: number;
  created: number;
  version: number;
  corrupt: boolean;
}

interface EntityState {
  size: number;
  step: number;
  /** Records whose time or content was changed by hand (mutate, add, corrupt, setUpdatedAt). */
  moved: Map<number, Moved>;
  /** Moved records sorted by (updated, id). */
  sorted: Moved[] | null;
  next: number;
}

export interface ListQuery {
  updatedSince?: number;
  updatedBefore?: number;
  after?: { updated: number; id: number };
  limit: number;
}

const DAY = 86_400_000;

/**
 * The faker CRM's data: deterministic records generated on demand (never held in memory),
 * served in (updated_at, id) order so a cursor or an updated-since filter is exact, plus the
 * few records changed by hand. With `changesPerMinute`, records keep changing as time passes.
 */
export class FakerDataset {
  readonly seed: number;
  readonly anchor: number;
  readonly span: number;
  readonly changesPerMinute: number;
  readonly #now: () => number;
  readonly #state: Record<FakerEntity, EntityState>;

  constructor(options: DatasetOptions = {}) {
    this.seed = options.seed ?? 42;
    this.anchor = (options.anchor ?? new Date()).getTime();
    this.span = (options.spanDays ?? 90) * DAY;
    this.changesPerMinute = options.changesPerMinute ?? 0;
    this.#now = options.now ?? Date.now;
    const sizes = typeof options.size === 'object' ? options.size : {};
    const base = typeof options.size === 'number' ? options.size : 1000;
    const size = (e: FakerEntity, fallback: number) =>
      Math.max(0, Math.floor(sizes[e] ?? fallback));
    const entity = (n: number): EntityState => ({
      size: n,
      step: n > 0 ? this.span / n : 1,
      moved: new Map(),
      sorted: null,
      next: n + 1,
    });
    this.#state = {
      contacts: entity(size('contacts', base)),
      companies: entity(size('companies', Math.ceil(base / 5))),
      deals: entity(size('deals', Math.ceil(base / 2))),
      activities: entity(size('activities', base)),
    };
  }

  size(entity: FakerEntity): number {
    const s = this.#state[entity];
    return s.size + (s.next - s.size - 1);
  }

  /** Base records in (updated, id) order: position → record index and its updated time. */
  #base(
    entity: FakerEntity,
    p: number,
    now: number,
  ): { i: number; updated: number; version: number } {
    const s = this.#state[entity];
    const created = this.anchor - this.span + p * s.step;
    if (this.changesPerMinute <= 0)
      return { i: p, updated: Math.floor(created + s.step / 2), version: 0 };
    const period = (s.size / this.changesPerMinute) * 60_000;
    const slot = period / s.size;
    const into = (((now - this.anchor) % period) + period) % period;
    const k = Math.floor(into / slot);
    const i = (k + 1 + p) % s.size;
    const passes = Math.floor((now - this.anchor - i * slot) / period);
    const updated = Math.floor(this.anchor + i * slot + passes * period);
    return {
      i,
      updated: Math.max(updated, Math.floor(this.anchor - this.span + i * s.step + s.step / 2)),
      version: Math.max(0, passes + 1),
    };
  }

  #created(entity: FakerEntity, i: number): number {
    const s = this.#state[entity];
    return Math.floor(this.anchor - this.span + i * s.step);
  }

  #movedSorted(entity: FakerEntity): Moved[] {
    const s = this.#state[entity];
    s.sorted ??= [...s.moved.values()].sort((a, b) => a.updated - b.updated || a.id - b.id);
    return s.sorted;
  }

  /** First base position whose (updated, id) is after `key` (binary search; base order is monotonic). */
  #lowerBound(entity: FakerEntity, now: number, key: { updated: number; id: number }): number {
    let lo = 0;
    let hi = this.#state[entity].size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = this.#base(entity, mid, now);
      if (b.updated < key.updated || (b.updated === key.updated && b.i + 1 <= key.id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  list(
    entity: FakerEntity,
    query: ListQuery,
  ): { records: FakerRecord[]; next?: { updated: number; id: number }; total: number } {
    const now = this.#now();
    const s = this.#state[entity];
    const since = query.updatedSince ?? Number.NEGATIVE_INFINITY;
    const before = query.updatedBefore ?? Number.POSITIVE_INFINITY;
    const sinceKey = {
      updated: Number.isFinite(since) ? since - 1 : Number.MIN_SAFE_INTEGER,
      id: Number.MAX_SAFE_INTEGER,
    };
    const after = query.after;
    const from =
      after &&
      (after.updated > sinceKey.updated ||
        (after.updated === sinceKey.updated && after.id > sinceKey.id))
        ? after
        : sinceKey;
    const moved = this.#movedSorted(entity);
    let p = this.#lowerBound(entity, now, from);
    let m = moved.findIndex(
      (r) => r.updated > from.updated || (r.updated === from.updated && r.id > from.id),
    );
    if (m < 0) m = moved.length;
    const out: FakerRecord[] = [];
    let last: { updated: number; id: number } | undefined;
    while (out.length < query.limit) {
      let candidate:
        | { id: number; updated: number; version: number; corrupt: boolean; created: number }
        | undefined;
      while (p < s.size) {
        const b = this.#base(entity, p, now);
        if (s.moved.has(b.i + 1)) {
          p++;
          continue;
        }
        candidate = {
          id: b.i + 1,
          updated: b.updated,
          version: b.version,
          corrupt: false,
          created: this.#created(entity, b.i),
        };
        break;
      }
      const mv = moved[m];
      const useMoved =
        mv &&
        (!candidate ||
          mv.updated < candidate.updated ||
          (mv.updated === candidate.updated && mv.id < candidate.id));
      const pick = useMoved ? mv : candidate;
      if (!pick || pick.updated >= before) break;
      if (useMoved) m++;
      else p++;
      out.push(
        this.#record(entity, pick.id, pick.created, pick.updated, pick.version, pick.corrupt),
      );
      last = { updated: pick.updated, id: pick.id };
    }
    const hasMore =
      last !== undefined && out.length === query.limit && this.#hasAfter(entity, now, last, before);
    return {
      records: out,
      ...(hasMore && last ? { next: last } : {}),
      total: this.#count(entity, now, since, before),
    };
  }

  #hasAfter(
    entity: FakerEntity,
    now: number,
    key: { updated: number; id: number },
    before: number,
  ): boolean {
    const s = this.#state[entity];
    for (let p = this.#lowerBound(entity, now, key); p < s.size; p++) {
      const b = this.#base(entity, p, now);
      if (b.updated >= before) break;
      if (!s.moved.has(b.i + 1)) return true;
    }
    return this.#movedSorted(entity).some(
      (r) =>
        (r.updated > key.updated || (r.updated === key.updated && r.id > key.id)) &&
        r.updated < before,
    );
  }

  #count(entity: FakerEntity, now: number, since: number, before: number): number {
    const s = this.#state[entity];
    const lo = Number.isFinite(since)
      ? this.#lowerBound(entity, now, { updated: since - 1, id: Number.MAX_SAFE_INTEGER })
      : 0;
    const hi = Number.isFinite(before)
      ? this.#lowerBound(entity, now, { updated: before - 1, id: Number.MAX_SAFE_INTEGER })
      : s.size;
    let n = hi - lo;
    for (const r of s.moved.values()) {
      if (r.id <= s.size) {
        const b = this.#base(entity, this.#positionOf(entity, r.id - 1, now), now);
        if (b.updated >= since && b.updated < before) n--;
      }
      if (r.updated >= since && r.updated < before) n++;
    }
    return n;
  }

  #positionOf(entity: FakerEntity, i: number, now: number): number {
    const s = this.#state[entity];
    if (this.changesPerMinute <= 0) return i;
    const b0 = this.#base(entity, 0, now);
    return (i - b0.i + s.size) % s.size;
  }

  get(entity: FakerEntity, id: number): FakerRecord | null {
    const s = this.#state[entity];
    const moved = s.moved.get(id);
    if (moved)
      return this.#record(entity, id, moved.created, moved.updated, moved.version, moved.corrupt);
    if (id < 1 || id > s.size) return null;
    const now = this.#now();
    const b = this.#base(entity, this.#positionOf(entity, id - 1, now), now);
    return this.#record(entity, id, this.#created(entity, id - 1), b.updated, b.version, false);
  }

  #move(entity: FakerEntity, id: number, change: (r: Moved) => void) {
    const s = this.#state[entity];
    const current = this.get(entity, id);
    if (!current) throw new Error(`no ${entity} record ${id}`);
    const r: Moved = s.moved.get(id) ?? {
      id,
      created: Date.parse(String(current.created_at)),
      updated: Date.parse(String(current.updated_at)),
      version: Number(current.version ?? 0),
      corrupt: false,
    };
    change(r);
    s.moved.set(id, r);
    s.sorted = null;
  }

  /** Edits `count` existing records now (content and updated time); returns their ids. */
  mutate(entity: FakerEntity, count: number): string[] {
    const s = this.#state[entity];
    const now = this.#now();
    const ids: number[] = [];
    for (let k = 0; ids.length < Math.min(count, s.size); k++) {
      const id = (mix(this.seed, now, k) % s.size) + 1;
      if (!ids.includes(id)) ids.push(id);
    }
    for (const id of ids) {
      this.#move(entity, id, (r) => {
        r.updated = Math.max(now, r.updated + 1);
        r.version++;
      });
    }
    return ids.map(String);
  }

  add(entity: FakerEntity, count: number, at: Date): string[] {
    const s = this.#state[entity];
    const ids: string[] = [];
    for (let k = 0; k < count; k++) {
      const id = s.next++;
      s.moved.set(id, {
        id,
        created: at.getTime(),
        updated: at.getTime(),
        version: 0,
        corrupt: false,
      });
      ids.push(String(id));
    }
    s.sorted = null;
    return ids;
  }

  /** Makes records come back invalid (a contact's email that is not one; a missing required name). */
  corrupt(entity: FakerEntity, count: number): string[] {
    const s = this.#state[entity];
    const ids = Array.from(
      { length: Math.min(count, s.size) },
      (_, k) => Math.floor(((k + 0.5) * s.size) / count) + 1,
    );
    for (const id of ids)
      this.#move(entity, id, (r) => {
        r.corrupt = true;
      });
    return ids.map(String);
  }

  setUpdatedAt(entity: FakerEntity, id: number, at: Date) {
    this.#move(entity, id, (r) => {
      r.updated = at.getTime();
      r.version++;
    });
  }

  #record(
    entity: FakerEntity,
    id: number,
    created: number,
    updated: number,
    version: number,
    corrupt: boolean,
  ): FakerRecord {
    const sizes = {
      contacts: this.#state.contacts.size,
      companies: this.#state.companies.size,
    };
    return fakeRecord(
      entity,
      { seed: this.seed, sizes },
      { id, created, updated, version, corrupt },
    );
  }
}
