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
import type { Prisma, PrismaClient } from './prisma-client.js';

type ChangeRow = Awaited<ReturnType<PrismaClient['localChange']['findFirstOrThrow']>>;
type ConflictRow = Awaited<ReturnType<PrismaClient['syncConflict']['findFirstOrThrow']>>;

/** Records looked up per query when recording many changes (a mass update's 50,000). */
const CHUNK = 500;

const json = (value: unknown) => value as Prisma.InputJsonValue;

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

  constructor(prisma: PrismaClient | (() => Promise<PrismaClient>)) {
    this.#client = typeof prisma === 'function' ? prisma : async () => prisma;
  }

  async recordChanges(changes: readonly NewLocalChange[]): Promise<LocalChange[]> {
    const out: LocalChange[] = [];
    for (let i = 0; i < changes.length; i += CHUNK)
      out.push(...(await this.#recordChunk(changes.slice(i, i + CHUNK))));
    return out;
  }

  async #recordChunk(chunk: readonly NewLocalChange[]): Promise<LocalChange[]> {
    return (await this.#client()).$transaction(async (tx) => {
      const open = new Map<string, LocalChange>();
      const byEntity = new Map<string, NewLocalChange[]>();
      for (const c of chunk) {
        const key = `${c.crmSource}\u0000${c.entity}`;
        byEntity.set(key, [...(byEntity.get(key) ?? []), c]);
      }
      for (const list of byEntity.values()) {
        const [first] = list;
        if (!first) continue;
        const rows = await tx.localChange.findMany({
          where: {
            crmSource: first.crmSource,
            entity: first.entity,
            externalId: { in: list.map((c) => c.recordId) },
            state: { in: [...OPEN_CHANGE_STATES] },
          },
        });
        for (const row of rows) open.set(recordKey(toChange(row)), toChange(row));
      }
      const out: LocalChange[] = [];
      const created: LocalChange[] = [];
      for (const input of chunk) {
        const now = new Date();
        const existing = open.get(recordKey(input));
        if (existing) {
          const merged = { ...existing, ...mergeIntoChange(existing, input), updatedAt: now };
          const pendingCreate = created.indexOf(existing);
          if (pendingCreate >= 0) created[pendingCreate] = merged;
          else
            await tx.localChange.update({
              where: { id: existing.id },
              data: {
                fields: json(merged.fields),
                base: json(merged.base),
                author: merged.author,
                state: merged.state,
                reason: null,
                updatedAt: now,
              },
            });
          open.set(recordKey(merged), merged);
          out.push(merged);
          continue;
        }
        const change: LocalChange = {
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
        created.push(change);
        open.set(recordKey(change), change);
        out.push(change);
      }
      if (created.length > 0)
        await tx.localChange.createMany({
          data: created.map((c) => ({
            id: c.id,
            crmSource: c.crmSource,
            entity: c.entity,
            externalId: c.recordId,
            fields: json(c.fields),
            base: json(c.base),
            baseRemoteUpdatedAt: c.baseRemoteModifiedAt,
            author: c.author,
            state: c.state,
            reason: null,
            createdAt: c.createdAt,
            updatedAt: c.updatedAt,
            runId: null,
          })),
        });
      // Read back, so callers hold exactly what is stored (times at the column's precision).
      const stored = await tx.localChange.findMany({
        where: { id: { in: [...new Set(out.map((c) => c.id))] } },
      });
      const byId = new Map(stored.map((row) => [row.id, toChange(row)]));
      return out.map((c) => byId.get(c.id) ?? c);
    });
  }

  async listChanges(query: ChangeQuery = {}): Promise<LocalChange[]> {
    const rows = await (await this.#client()).localChange.findMany({
      where: where(query),
      orderBy: { id: 'asc' },
      ...(query.limit !== undefined && { take: query.limit }),
    });
    return rows.map(toChange);
  }

  async countChanges(query: ChangeQuery = {}): Promise<number> {
    return (await this.#client()).localChange.count({ where: where(query) });
  }

  async getChange(id: string): Promise<LocalChange | null> {
    const row = await (await this.#client()).localChange.findUnique({ where: { id } });
    return row ? toChange(row) : null;
  }

  async updateChanges(ids: readonly string[], update: ChangeUpdate): Promise<number> {
    let n = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const res = await (await this.#client()).localChange.updateMany({
        where: { id: { in: ids.slice(i, i + CHUNK) } },
        data: {
          state: update.state,
          updatedAt: new Date(),
          ...(update.reason !== undefined && { reason: update.reason }),
          ...(update.runId !== undefined && { runId: update.runId }),
          ...(update.fields && { fields: json(update.fields) }),
          ...(update.base && { base: json(update.base) }),
        },
      });
      n += res.count;
    }
    return n;
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
