/**
 * The fake HubSpot account's records, generated lazily: record `i` of a type is a pure
 * function of (seed, type, i), so 100,000 contacts cost nothing until they are read. Only
 * records that tests change (mutated, added, corrupted, archived, re-dated) are kept.
 */

export interface HubspotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/** HubSpot's change stamp: `lastmodifieddate` on contacts, `hs_lastmodifieddate` elsewhere. */
export function modifiedProperty(objectType: string): string {
  return objectType === '0-1' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

export function createdProperty(objectType: string): string {
  return ['0-1', '0-2', '0-3'].includes(objectType) ? 'createdate' : 'hs_createdate';
}

/** Object type ids and the names their paths also accept. */
export const STANDARD_OBJECT_TYPES: Record<string, string> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  meetings: '0-47',
  appointments: '0-421',
};

const DAY = 86_400_000;
const SPREAD = 90 * DAY;
/** Generated history ends an hour before the fake starts, so a delta's overlap finds only test changes. */
const QUIET = 3_600_000;

/** A small, fast, deterministic hash (FNV-1a + xorshift) for repeatable sample values. */
export function hash(...parts: Array<string | number>): number {
  let h = 2166136261;
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 16777619);
    }
    h ^= 0x9e;
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995);
  h ^= h >>> 15;
  return h >>> 0;
}

const FIRST = [
  'Ada',
  'Ben',
  'Cleo',
  'Dan',
  'Eve',
  'Finn',
  'Gus',
  'Hana',
  'Ivo',
  'Jade',
  'Kai',
  'Lena',
];
const LAST = ['Stone', 'Reyes', 'Okafor', 'Nguyen', 'Berg', 'Costa', 'Iyer', 'Walsh', 'Kato'];
const CITY = ['Austin', 'Denver', 'Boston', 'Tampa', 'Reno', 'Omaha', 'Salem'];
const STATE = ['TX', 'CO', 'MA', 'FL', 'NV', 'NE', 'OR'];
const STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'closedwon', 'closedlost'];
const LIFECYCLE = ['subscriber', 'lead', 'marketingqualifiedlead', 'customer'];
const OUTCOMES = ['SCHEDULED', 'COMPLETED', 'NO_SHOW', 'CANCELED'];

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;

export interface ObjectStoreOptions {
  objectType: string;
  count: number;
  seed: number;
  /** The fake's "now" at start: records are dated over the 90 days before it. */
  epoch: number;
  /** Owner ids to assign (`hubspot_owner_id`). */
  ownerCount: number;
}

/** One object type's records: ids `1…count` (plus added ones), served in id order. */
export class ObjectStore {
  readonly objectType: string;
  readonly #seed: number;
  readonly #epoch: number;
  readonly #ownerCount: number;
  #count: number;
  readonly #initialCount: number;
  readonly #changed = new Map<number, HubspotObject>();
  readonly #archived = new Map<number, string>();

  constructor(options: ObjectStoreOptions) {
    this.objectType = options.objectType;
    this.#count = options.count;
    this.#initialCount = options.count;
    this.#seed = options.seed;
    this.#epoch = options.epoch;
    this.#ownerCount = options.ownerCount;
  }

  /** Highest id ever created (archived ones included). */
  get size(): number {
    return this.#count;
  }

  get archivedCount(): number {
    return this.#archived.size;
  }

  isArchived(index: number): boolean {
    return this.#archived.has(index);
  }

  /** Created time of generated record `i`: spread over the 90 days before the epoch. */
  #createdAt(i: number): number {
    const base = this.#epoch - QUIET - SPREAD;
    return (
      base +
      Math.floor(((i - 1) * SPREAD) / Math.max(1, this.#initialCount)) +
      (hash(this.#seed, i) % 1000)
    );
  }

  /** The change stamp in epoch ms, without building the record (search scans use it). */
  updatedAtMs(i: number): number {
    const changed = this.#changed.get(i);
    if (changed) return Date.parse(changed.updatedAt);
    const created = this.#createdAt(i);
    const later = hash(this.#seed, this.objectType, 'u', i) % (3 * DAY);
    return Math.min(this.#epoch - QUIET, created + later);
  }

  get(i: number): HubspotObject | undefined {
    if (i < 1 || i > this.#count) return undefined;
    const base = this.#changed.get(i) ?? this.#generate(i);
    const archivedAt = this.#archived.get(i);
    return archivedAt ? { ...base, archived: true, archivedAt } : base;
  }

  #generate(i: number): HubspotObject {
    const created = new Date(this.#createdAt(i)).toISOString();
    const updated = new Date(this.updatedAtMs(i)).toISOString();
    const h = hash(this.#seed, this.objectType, i);
    const owner = this.#ownerCount > 0 ? String(100 + (h % this.#ownerCount) + 1) : null;
    const properties = this.#properties(i, h, owner);
    properties.hs_object_id = String(i);
    properties[createdProperty(this.objectType)] = created;
    properties[modifiedProperty(this.objectType)] = updated;
    return { id: String(i), properties, createdAt: created, updatedAt: updated, archived: false };
  }

  #properties(i: number, h: number, owner: string | null): Record<string, string | null> {
    const first = pick(FIRST, h);
    const last = pick(LAST, h >>> 5);
    const at = (offsetDays: number) =>
      new Date(this.#createdAt(i) + offsetDays * DAY).toISOString();
    switch (this.objectType) {
      case '0-1':
        return {
          email: `${first}.${last}.${i}@example.com`.toLowerCase(),
          firstname: first,
          lastname: last,
          phone: `+1512555${String(h % 10_000).padStart(4, '0')}`,
          company: `${last} Roofing`,
          address: `${(h % 900) + 100} Main St`,
          city: pick(CITY, h >>> 3),
          state: pick(STATE, h >>> 3),
          zip: String(10_000 + (h % 89_999)),
          lifecyclestage: pick(LIFECYCLE, h >>> 7),
          hubspot_owner_id: owner,
        };
      case '0-2':
        return {
          name: `${last} & ${pick(LAST, h >>> 9)} ${i}`,
          domain: `${last.toLowerCase()}${i}.example.com`,
          phone: `+1303555${String(h % 10_000).padStart(4, '0')}`,
          city: pick(CITY, h >>> 3),
          state: pick(STATE, h >>> 3),
          industry: pick(['CONSTRUCTION', 'REAL_ESTATE', 'RETAIL'], h >>> 11),
        };
      case '0-3':
        return {
          dealname: `${last} job ${i}`,
          amount: ((h % 5_000_000) / 100).toFixed(2),
          dealstage: pick(STAGES, h >>> 4),
          pipeline: 'default',
          closedate: at(30),
          hubspot_owner_id: owner,
        };
      case '0-47':
        return {
          hs_meeting_title: `Estimate with ${first} ${last}`,
          hs_meeting_start_time: at(2),
          hs_meeting_end_time: at(2.05),
          hs_meeting_outcome: pick(OUTCOMES, h >>> 6),
          hs_timestamp: at(2),
          hubspot_owner_id: owner,
        };
      case '0-421':
        return {
          hs_appointment_name: `Inspection ${first} ${last}`,
          hs_appointment_start: at(5),
          hs_appointment_end: at(5.04),
          hs_pipeline: 'default',
          hs_pipeline_stage: pick(['scheduled', 'completed', 'canceled'], h >>> 8),
        };
      default:
        return { name: `${this.objectType} record ${i}`, hs_status: pick(['open', 'done'], h) };
    }
  }

  /** Bumps the change stamp of the `count` most recently changed-or-not records to `at`. */
  touch(ids: number[], at: Date, change: (o: HubspotObject) => void = () => {}): void {
    for (const i of ids) {
      const current = this.get(i);
      if (!current) continue;
      const next: HubspotObject = {
        ...current,
        properties: { ...current.properties },
        updatedAt: at.toISOString(),
      };
      next.properties[modifiedProperty(this.objectType)] = at.toISOString();
      change(next);
      this.#changed.set(i, { ...next, archived: false });
    }
  }

  /** The id of the first changed (mutated, added, written) record that matches, or null. */
  findChanged(match: (o: HubspotObject) => boolean): number | null {
    for (const [i, o] of this.#changed) if (match(o)) return i;
    return null;
  }

  add(count: number, at: Date): number[] {
    const ids: number[] = [];
    for (let n = 0; n < count; n++) {
      const i = ++this.#count;
      const generated = this.#generate(i);
      const iso = at.toISOString();
      generated.createdAt = iso;
      generated.updatedAt = iso;
      generated.properties[createdProperty(this.objectType)] = iso;
      generated.properties[modifiedProperty(this.objectType)] = iso;
      this.#changed.set(i, generated);
      ids.push(i);
    }
    return ids;
  }

  archive(ids: number[], at: Date): void {
    for (const i of ids) if (i >= 1 && i <= this.#count) this.#archived.set(i, at.toISOString());
  }
}
