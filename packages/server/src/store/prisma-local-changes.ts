import {
  type ChangeQuery,
  type ChangeState,
  type ChangeUpdate,
  type Conflict,
  type ConflictField,
  type ConflictQuery,
  type LocalChange,
  type LocalChangeStore,
  mergeIntoChange,
  type NewConflict,
  type NewLocalChange,
  newChangeId,
  OPEN_CHANGE_STATES,
  recordKey,
} from '@crmsync/core';
import { dialectOf, LocalChangeSql } from './local-changes-sql.js';
import type { Prisma, PrismaClient } from './prisma-client.js';

type ChangeRow = Awaited<ReturnType<PrismaClient['localChange']['findFirstOrThrow']>>;
type ConflictRow = Awaited<ReturnType<PrismaClient['syncConflict']['findFirstOrThrow']>>;

/** Changes recorded per transaction (a mass update's 50,000 go in chunks). */
const CHUNK = 2_000;

const json = (value: unknown) => value as Prisma.InputJsonValue;
const roundTrip = (value: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value));

function toChange(row: ChangeRow): LocalChange {
  return {
    id: row.id,
    crmSource: row.crmSource,
    entity: row.entity,
    recordId: row.externalId,
    fields: row.fields as Record<string, unknown>,
    base: row.base as Record<string, unknown>,
    baseRemoteModifiedAt: row.baseRemoteUpdatedAt,
    author: row.author,
    state: row.state as ChangeState,
    reason: row.reason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    runId: row.runId,
  };
}

function toConflict(row: ConflictRow): Conflict {
  return {
    id: row.id,
    changeId: row.changeId,
    crmSource: row.crmSource,
    entity: row.entity,
    recordId: row.externalId,
    fields: row.fields as unknown as ConflictField[],
    localModifiedAt: row.localModifiedAt,
    remoteModifiedAt: row.remoteModifiedAt,
    createdAt: row.createdAt,
    resolvedAt: row.resolvedAt,
    resolution: row.resolution as Conflict['resolution'],
  };
}

function where(q: ChangeQuery): Prisma.LocalChangeWhereInput {
  return {
    crmSource: q.crmSource,
    entity: q.entity,
    ...(q.states && { state: { in: [...q.states] } }),
    ...(q.recordIds && { externalId: { in: [...q.recordIds] } }),
    ...((q.after !== undefined || q.ids) && {
      id: { ...(q.after !== undefined && { gt: q.after }), ...(q.ids && { in: [...q.ids] }) },
    }),
  };
}

/**
 * The server store's `localChanges`: the `local_change` and `sync_conflict` tables, through
 * Prisma. Given a function, it asks it for the client on first use (the store loads Prisma
 * lazily, so a sync, which never writes back, does not load it).
 */
export class PrismaLocalChanges implements LocalChangeStore {
  readonly #client: () => Promise<PrismaClient>;
  #sql: Promise<LocalChangeSql> | undefined;

  constructor(prisma: PrismaClient | (() => Promise<PrismaClient>)) {
    this.#client = typeof prisma === 'function' ? prisma : async () => prisma;
  }

  /** The bulk SQL for this database, known on first use. */
  #bulk(): Promise<LocalChangeSql> {
    this.#sql ??= this.#client()
      .then(dialectOf)
      .then(
        (d) => new LocalChangeSql(d),
        (error: unknown) => {
          this.#sql = undefined;
          throw error;
        },
      );
    return this.#sql;
  }

  async recordChanges(changes: readonly NewLocalChange[]): Promise<LocalChange[]> {
    const out: LocalChange[] = [];
    for (let i = 0; i < changes.length; i += CHUNK)
      for (const c of await this.#recordChunk(changes.slice(i, i + CHUNK))) out.push(c);
    return out;
  }

  /**
   * One chunk in one transaction: the open changes of its records in one SELECT, then every new
   * or merged change in one multi-row upsert. The changes returned are what was stored (JSON
   * round-tripped; times are whole milliseconds on both databases).
   */
  async #recordChunk(chunk: readonly NewLocalChange[]): Promise<LocalChange[]> {
    const sql = await this.#bulk();
    return (await this.#client()).$transaction(async (tx) => {
      const open = new Map<string, LocalChange>();
      const byEntity = new Map<string, NewLocalChange[]>();
      for (const c of chunk) {
        const key = `${c.crmSource}\u0000${c.entity}`;
        const list = byEntity.get(key);
        if (list) list.push(c);
        else byEntity.set(key, [c]);
      }
      for (const list of byEntity.values()) {
        const [first] = list;
        if (!first) continue;
        const rows = await sql.select(tx, {
          crmSource: first.crmSource,
          entity: first.entity,
          recordIds: list.map((c) => c.recordId),
          states: OPEN_CHANGE_STATES,
        });
        for (const row of rows) open.set(recordKey(row), row);
      }
      const out: LocalChange[] = [];
      const written = new Map<string, LocalChange>();
      for (const input of chunk) {
        const now = new Date();
        const existing = open.get(recordKey(input));
        const change: LocalChange = existing
          ? { ...existing, ...mergeIntoChange(existing, input), updatedAt: now }
          : {
              id: newChangeId(now.getTime()),
              crmSource: input.crmSource,
              entity: input.entity,
              recordId: input.recordId,
              fields: input.fields,
              base: input.base,
              baseRemoteModifiedAt: input.baseRemoteModifiedAt,
              author: input.author,
              state: 'pending',
              reason: null,
              createdAt: now,
              updatedAt: now,
              runId: null,
            };
        // What the columns hold: JSON as stored, so callers see exactly what a read returns.
        change.fields = roundTrip(change.fields);
        change.base = roundTrip(change.base);
        open.set(recordKey(change), change);
        written.set(change.id, change);
        out.push(change);
      }
      await sql.upsert(tx, [...written.values()]);
      // A record edited twice in one chunk is one change: every entry shows its final state.
      return out.map((c) => written.get(c.id) ?? c);
    });
  }

  async listChanges(query: ChangeQuery = {}): Promise<LocalChange[]> {
    return (await this.#bulk()).select(await this.#client(), query);
  }

  async countChanges(query: ChangeQuery = {}): Promise<number> {
    return (await this.#client()).localChange.count({ where: where(query) });
  }

  async getChange(id: string): Promise<LocalChange | null> {
    const row = await (await this.#client()).localChange.findUnique({ where: { id } });
    return row ? toChange(row) : null;
  }

  async updateChanges(ids: readonly string[], update: ChangeUpdate): Promise<number> {
    return (await this.#bulk()).update(await this.#client(), ids, update);
  }

  async recordConflict(input: NewConflict): Promise<Conflict> {
    return (await this.#client()).$transaction(async (tx) => {
      const change = await tx.localChange.findUniqueOrThrow({ where: { id: input.changeId } });
      const now = new Date();
      await tx.localChange.update({
        where: { id: change.id },
        data: { state: 'conflict', updatedAt: now },
      });
      const row = await tx.syncConflict.create({
        data: {
          id: newChangeId(now.getTime()),
          changeId: change.id,
          crmSource: change.crmSource,
          entity: change.entity,
          externalId: change.externalId,
          fields: json(input.fields),
          localModifiedAt: input.localModifiedAt,
          remoteModifiedAt: input.remoteModifiedAt,
          createdAt: now,
        },
      });
      return toConflict(row);
    });
  }

  async listConflicts(query: ConflictQuery = {}): Promise<Conflict[]> {
    const rows = await (await this.#client()).syncConflict.findMany({
      where: {
        crmSource: query.crmSource,
        ...(query.includeResolved !== true && { resolvedAt: null }),
        ...(query.after !== undefined && { id: { gt: query.after } }),
      },
      orderBy: { id: 'asc' },
      ...(query.limit !== undefined && { take: query.limit }),
    });
    return rows.map(toConflict);
  }

  async getConflict(id: string): Promise<Conflict | null> {
    const row = await (await this.#client()).syncConflict.findUnique({ where: { id } });
    return row ? toConflict(row) : null;
  }

  async markResolved(
    id: string,
    resolution: 'local' | 'remote' | 'value',
    at = new Date(),
  ): Promise<boolean> {
    const res = await (await this.#client()).syncConflict.updateMany({
      where: { id, resolvedAt: null },
      data: { resolvedAt: at, resolution },
    });
    return res.count === 1;
  }
}
