import { type FakeClock, FakeRecords } from '@crmsync/core/fake-api';
import {
  type FakeFieldMeta,
  type FakeRow,
  moduleFields,
  recordId,
  sampleValues,
  USER,
  zohoTime,
} from './data.js';
import { fail } from './errors.js';

export interface FakeModule {
  name: string;
  fields: FakeFieldMeta[];
  records: FakeRecords<FakeRow>;
  /** Deleted records: the recycle bin `/deleted` lists (display name and when). */
  deleted: Map<string, { displayName: string; deletedAt: number }>;
  /** Bumped on every add, change and delete through the org: list orders are cached by it. */
  version: number;
}

const DAY = 86_400_000;
const NAME_FIELD: Record<string, string> = {
  Deals: 'Deal_Name',
  Accounts: 'Account_Name',
  Contacts: 'Last_Name',
  Leads: 'Last_Name',
};

/**
 * The fake org's data: modules with their field metadata and records. Zoho stamps times to
 * the second in the org's time zone, so every change is stamped on a whole second.
 */
export class FakeZohoOrg {
  readonly modules = new Map<string, FakeModule>();
  #next = 1;

  constructor(
    readonly clock: FakeClock,
    readonly offsetMinutes: number,
  ) {}

  /** Adds a module with `size` records dated over the past 90 days, oldest first. */
  addModule(name: string, size = 0): FakeModule {
    const module: FakeModule = {
      name,
      fields: moduleFields(name),
      records: new FakeRecords<FakeRow>(this.clock),
      deleted: new Map(),
      version: 0,
    };
    this.modules.set(name, module);
    const now = this.clock.now();
    for (let n = 0; n < size; n++)
      this.addRecord(name, {}, now - 90 * DAY + Math.floor((n * 89 * DAY) / Math.max(1, size)));
    return module;
  }

  module(name: string): FakeModule {
    const module = this.modules.get(name);
    if (!module)
      throw fail(400, 'INVALID_MODULE', 'the module name given seems to be invalid', {
        resource_path_index: 0,
      });
    return module;
  }

  time(ms: number): string {
    return zohoTime(ms, this.offsetMinutes);
  }

  /** A new record of `module`, created and modified at `at` (to the second). */
  addRecord(name: string, values: Record<string, unknown> = {}, at = this.clock.now()): FakeRow {
    const module = this.module(name);
    const n = this.#next++;
    const stamp = second(at);
    const row: FakeRow = {
      id: recordId(n),
      ...sampleValues(name, n),
      Created_Time: this.time(stamp),
      Modified_Time: this.time(stamp),
      ...values,
    };
    module.version++;
    return module.records.add(row, stamp);
  }

  /** Changes a record as a user would: its Modified_Time moves to `at`. */
  touch(name: string, id: string, patch: Record<string, unknown> = {}, at = this.clock.now()) {
    const stamp = second(at);
    const module = this.module(name);
    module.version++;
    return module.records.change(
      id,
      { ...patch, Modified_Time: this.time(stamp), Modified_By: { ...USER } },
      stamp,
    );
  }

  /** Moves a record to the recycle bin, as deleting it in Zoho does. */
  remove(name: string, id: string, at = this.clock.now()) {
    const module = this.module(name);
    const row = module.records.get(id);
    if (!row) throw new Error(`fake zoho has no ${name} record ${id}`);
    const label = row[NAME_FIELD[name] ?? 'Name'];
    module.version++;
    module.records.delete(id, second(at));
    module.deleted.set(id, { displayName: String(label ?? id), deletedAt: second(at) });
  }
}

export const second = (ms: number | Date) => Math.floor(+ms / 1000) * 1000;
