import type { ChangeState } from './write.js';

/** A change made here to a synced record, waiting to be (or already) pushed to the CRM. */
export interface LocalChange {
  id: string;
  crmSource: string;
  entity: string;
  recordId: string;
  /** The changed fields and their local values. */
  fields: Record<string, unknown>;
  /** Each changed field's value as last synced: the base of the three-way merge. */
  base: Record<string, unknown>;
  /** The record's remote modification time as last synced. */
  baseRemoteModifiedAt: Date | null;
  /** Who or what made it (`cli`, `api`, `mass-update:<run id>`, a user name). */
  author: string;
  state: ChangeState;
  /** Why it was rejected (the CRM's reason) or is held. */
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The push run that last handled it. */
  runId: string | null;
}

export interface NewLocalChange {
  crmSource: string;
  entity: string;
  recordId: string;
  fields: Record<string, unknown>;
  base: Record<string, unknown>;
  baseRemoteModifiedAt: Date | null;
  author: string;
}

export interface ChangeQuery {
  crmSource?: string;
  entity?: string;
  states?: readonly ChangeState[];
  recordIds?: readonly string[];
  /** Only these changes. */
  ids?: readonly string[];
  /** Oldest first; at most this many. */
  limit?: number;
  /** Only changes whose id sorts after this one (paging). */
  after?: string;
}

export interface ConflictField {
  field: string;
  base: unknown;
  local: unknown;
  remote: unknown;
}

/** A change that met a different remote edit of the same field: nothing was overwritten. */
export interface Conflict {
  id: string;
  changeId: string;
  crmSource: string;
  entity: string;
  recordId: string;
  fields: ConflictField[];
  localModifiedAt: Date;
  remoteModifiedAt: Date | null;
  createdAt: Date;
  resolvedAt: Date | null;
  /** `local`, `remote` or `value` once resolved. */
  resolution: 'local' | 'remote' | 'value' | null;
}

export interface NewConflict {
  changeId: string;
  fields: ConflictField[];
  localModifiedAt: Date;
  remoteModifiedAt: Date | null;
}

export interface ConflictQuery {
  crmSource?: string;
  /** Default false: open conflicts only. */
  includeResolved?: boolean;
  limit?: number;
  after?: string;
}

export interface ChangeUpdate {
  state: ChangeState;
  reason?: string | null;
  runId?: string | null;
  /** Replaces the change's fields and base (a resolution narrows or rebases them). */
  fields?: Record<string, unknown>;
  base?: Record<string, unknown>;
}

/**
 * The write-back capability of a store (`Store.localChanges`): local changes per (crm, entity,
 * record) and the conflicts pushing them met. Proved by `describeLocalChangesSuite`.
 */
export interface LocalChangeStore {
  /**
   * Records changes. A record with an open (`pending` or `rejected`) change gets one change:
   * the new values win, and a field changed again keeps its first base. Returns the changes as
   * stored, in input order.
   */
  recordChanges(changes: readonly NewLocalChange[]): Promise<LocalChange[]>;
  listChanges(query?: ChangeQuery): Promise<LocalChange[]>;
  countChanges(query?: Omit<ChangeQuery, 'limit' | 'after'>): Promise<number>;
  getChange(id: string): Promise<LocalChange | null>;
  /** Moves changes to a state; returns how many it moved. */
  updateChanges(ids: readonly string[], update: ChangeUpdate): Promise<number>;
  /** Records a conflict and moves its change to `conflict`, in one transaction. */
  recordConflict(conflict: NewConflict): Promise<Conflict>;
  listConflicts(query?: ConflictQuery): Promise<Conflict[]>;
  getConflict(id: string): Promise<Conflict | null>;
  /** Marks a conflict resolved; false when it was resolved already. */
  markResolved(id: string, resolution: 'local' | 'remote' | 'value', at?: Date): Promise<boolean>;
}
