import {
  type Conflict,
  CrmsyncError,
  type ChangeState,
  InputError,
  type LocalChange,
  type Logger,
  localChangesOf,
  openWriteSession,
  type PushProgress,
  type PushResult,
  pushChanges,
  type RunTrigger,
  recordEdits,
  type Resolution,
  resolveConflict,
  type WritableFields,
  type WriteSession,
} from '@crmsync/core';
import type { RecordFilter } from '../records/records-query.js';
import type { PrismaStore } from '../store/index.js';
import { findInstalled, type InstalledPlugin, NotConfiguredError } from '../syncs/index.js';

/** The most records one mass update may set. */
export const MASS_UPDATE_MAX = 50_000;
/** Records a mass update reads and records changes for at a time. */
const MASS_UPDATE_SLICE = 5_000;

export interface WriteCall {
  trigger?: RunTrigger;
  signal?: AbortSignal;
  onProgress?(progress: PushProgress): void;
}

export interface UpdateResult {
  change: LocalChange;
  /** Absent when the change was only recorded (`--no-push`). */
  push?: PushResult;
}

export interface MassUpdateInput {
  crm: string;
  entity: string;
  set: Record<string, unknown>;
  /** The records: these ids, or the stored records matching every filter. */
  ids?: readonly string[];
  where?: readonly RecordFilter[];
  author?: string;
}

/**
 * Writing back, behind the CLI and the API alike: records local edits against their base,
 * pushes pending changes through the plugin's writer (three-way merge per field), lists and
 * resolves conflicts, and runs mass updates as one recorded change per record pushed in the
 * CRM's batches.
 *
 * @example
 * const { push } = await app.writes.update({ crm: 'hubspot', entity: 'contacts', id: '51', values: { firstname: 'Ada' } });
 */
export class WriteService {
  readonly #store: PrismaStore;
  readonly #plugins: readonly InstalledPlugin[];
  readonly #logger: Logger;
  /** Mass updates running in the background in this process, by run id. */
  readonly #background = new Map<string, AbortController>();
  /** Writable fields per `crm/entity`, read from the CRM's metadata at most once a minute. */
  readonly #fields = new Map<string, { at: number; fields: Promise<WritableFields> }>();

  constructor(store: PrismaStore, plugins: readonly InstalledPlugin[], logger: Logger) {
    this.#store = store;
    this.#plugins = plugins;
    this.#logger = logger;
  }

  /** Writable entities of a plugin (what `crmsync list` shows; empty for a read-only plugin). */
  writableEntities(crm: string): string[] {
    return findInstalled(this.#plugins, crm)
      .entities.filter((e) => e.write)
      .map((e) => e.name);
  }

  /**
   * The fields of an entity that can be written, with their types and picklist values, from
   * the CRM's metadata (cached for a minute; a failed read is not cached).
   */
  writableFields(crm: string, entity: string): Promise<WritableFields> {
    const key = `${crm}/${entity}`;
    const cached = this.#fields.get(key);
    if (cached && Date.now() - cached.at < 60_000) return cached.fields;
    const fields = this.#session(crm, entity, undefined, (s) => s.writable());
    this.#fields.set(key, { at: Date.now(), fields });
    fields.catch(() => {
      if (this.#fields.get(key)?.fields === fields) this.#fields.delete(key);
    });
    return fields;
  }

  async #session<T>(
    crm: string,
    entity: string,
    signal: AbortSignal | undefined,
    use: (s: WriteSession) => Promise<T>,
  ): Promise<T> {
    const installed = findInstalled(this.#plugins, crm);
    if (!installed.configured) throw new NotConfiguredError(installed);
    const session = await openWriteSession({
      plugin: installed.plugin,
      config: installed.config,
      entity,
      logger: this.#logger,
      ...(signal && { signal }),
      // Quotas a CRM counts per org (Zoho's daily credits) are shared by every process here.
      requestBudgets: this.#store.requestBudgets,
    });
    try {
      return await use(session);
    } finally {
      await session.close();
    }
  }

  /** Records a local edit of one record and, unless `push` is false, pushes the entity at once. */
  async update(
    input: {
      crm: string;
      entity: string;
      id: string;
      values: Record<string, unknown>;
      author?: string;
      push?: boolean;
    },
    call: WriteCall = {},
  ): Promise<UpdateResult> {
    return this.#session(input.crm, input.entity, call.signal, async (session) => {
      const [change] = await recordEdits({
        store: this.#store,
        crmSource: input.crm,
        entity: session.entity,
        writable: await session.writable(),
        edits: [{ recordId: input.id, values: input.values }],
        author: input.author ?? call.trigger ?? 'library',
      });
      if (!change) throw new CrmsyncError('system', 'the change was not recorded');
      if (input.push === false) return { change };
      const push = await this.#push(session, input.crm, call, { changeIds: [change.id] });
      const after = await localChangesOf(this.#store).getChange(change.id);
      return { change: after ?? change, push };
    });
  }

  /** Pushes what is pending for a CRM: one entity, or every writable entity with open changes. */
  async push(crm: string, entity: string | undefined, call: WriteCall = {}): Promise<PushResult[]> {
    const entities = entity ? [entity] : await this.#entitiesWithOpenChanges(crm);
    const results: PushResult[] = [];
    for (const name of entities)
      results.push(
        await this.#session(crm, name, call.signal, (session) => this.#push(session, crm, call)),
      );
    return results;
  }

  async #entitiesWithOpenChanges(crm: string): Promise<string[]> {
    const writable = this.writableEntities(crm);
    const out: string[] = [];
    for (const name of writable)
      if (
        (await localChangesOf(this.#store).countChanges({
          crmSource: crm,
          entity: name,
          states: ['pending', 'pushing'],
        })) > 0
      )
        out.push(name);
    return out;
  }

  #push(
    session: WriteSession,
    crm: string,
    call: WriteCall,
    extra: {
      changeIds?: readonly string[];
      operation?: 'push' | 'mass-update';
      configuration?: Record<string, unknown>;
    } = {},
  ): Promise<PushResult> {
    return pushChanges({
      store: this.#store,
      crmSource: crm,
      entity: session.entity,
      client: session.client,
      trigger: call.trigger ?? 'library',
      ...(call.signal && { signal: call.signal }),
      ...(call.onProgress && { hooks: { onProgress: call.onProgress } }),
      ...extra,
    });
  }

  listConflicts(
    query: { crm?: string; includeResolved?: boolean; limit?: number; after?: string } = {},
  ): Promise<Conflict[]> {
    return localChangesOf(this.#store).listConflicts({
      ...(query.crm && { crmSource: query.crm }),
      ...(query.includeResolved && { includeResolved: true }),
      ...(query.limit !== undefined && { limit: query.limit }),
      ...(query.after && { after: query.after }),
    });
  }

  listChanges(
    query: {
      crm?: string;
      entity?: string;
      states?: ChangeState[];
      limit?: number;
      after?: string;
    } = {},
  ): Promise<LocalChange[]> {
    return localChangesOf(this.#store).listChanges({
      ...(query.crm && { crmSource: query.crm }),
      ...(query.entity && { entity: query.entity }),
      ...(query.states && { states: query.states }),
      ...(query.limit !== undefined && { limit: query.limit }),
      ...(query.after && { after: query.after }),
    });
  }

  /** The conflict of an id, or an error that names the id the caller gave. */
  async #conflict(conflictId: string): Promise<Conflict> {
    const conflict = await localChangesOf(this.#store).getConflict(conflictId);
    if (!conflict)
      throw new InputError(
        'conflict id',
        'the id of a conflict (see crmsync conflicts)',
        conflictId,
      );
    return conflict;
  }

  /**
   * A typed value for a conflict (`crmsync resolve <id> --value …`) as the resolution's field
   * map: `Field=value` for any of the conflict's fields, or, when exactly one field conflicts,
   * the bare value for it. The value itself is checked against the field's type when the
   * conflict is resolved. Bad input names `--value` and the fields it may set.
   */
  async typedValue(conflictId: string, values: readonly string[]): Promise<Record<string, string>> {
    const conflict = await this.#conflict(conflictId);
    const names = conflict.fields.map((f) => f.field);
    const out: Record<string, string> = {};
    for (const arg of values) {
      const at = arg.indexOf('=');
      const name = at > 0 ? arg.slice(0, at) : undefined;
      if (name !== undefined && names.includes(name)) out[name] = arg.slice(at + 1);
      else if (names.length === 1 && values.length === 1 && names[0] !== undefined)
        out[names[0]] = arg;
      else
        throw new InputError(
          '--value',
          names.length === 1
            ? `the value for ${names[0]} (or ${names[0]}=value)`
            : `Field=value for a field of the conflict (${names.join(', ')})`,
          arg,
        );
    }
    if (Object.keys(out).length === 0)
      throw new InputError('--value', `a value for ${names.join(', ')}`);
    return out;
  }

  /**
   * Resolves a conflict, then pushes its change when something is left to write (keep local, a
   * typed value). Keep remote writes nothing.
   */
  async resolve(
    conflictId: string,
    resolution: Resolution,
    call: WriteCall = {},
  ): Promise<{ conflict: Conflict; change: LocalChange; push?: PushResult }> {
    const conflict = await this.#conflict(conflictId);
    if ('keep' in resolution && resolution.keep === 'remote')
      return resolveConflict(this.#store, conflictId, resolution);
    return this.#session(conflict.crmSource, conflict.entity, call.signal, async (session) => {
      const resolved = await resolveConflict(
        this.#store,
        conflictId,
        resolution,
        await session.writable(),
      );
      if (resolved.change.state !== 'pending') return resolved;
      const push = await this.#push(session, conflict.crmSource, call, {
        changeIds: [resolved.change.id],
      });
      const change =
        (await localChangesOf(this.#store).getChange(resolved.change.id)) ?? resolved.change;
      return { ...resolved, change, push };
    });
  }

  /**
   * Sets fields on many records (ids, or the stored records matching a filter; at most 50,000):
   * one local change per record, each against its base, pushed in the CRM's batches within its
   * rate limits, with one history row (`mass-update:<entity>`) and progress as it goes.
   * Cancelling (the signal) stops between batches; what was not pushed stays pending.
   */
  async massUpdate(input: MassUpdateInput, call: WriteCall = {}): Promise<PushResult> {
    if ((input.ids === undefined) === (input.where === undefined))
      throw new InputError('records', 'either --ids or --where');
    return this.#session(input.crm, input.entity, call.signal, async (session) => {
      const ids = input.ids
        ? [...new Set(input.ids)]
        : await this.#matching(input.crm, session, input.where ?? []);
      if (ids.length === 0)
        throw new InputError(
          input.ids ? '--ids' : '--where',
          'at least one record',
          input.ids ?? input.where,
        );
      if (ids.length > MASS_UPDATE_MAX)
        throw new InputError(
          'records',
          `at most ${MASS_UPDATE_MAX.toLocaleString('en-US')} records in one mass update`,
          ids.length,
        );
      // Recorded in slices, keeping only the change ids: the stored records each slice reads
      // for its bases and the changes it returns are let go before the next (peak memory stays
      // a slice's, not 50,000 records' twice).
      const writable = await session.writable();
      const author = input.author ?? `mass-update (${call.trigger ?? 'library'})`;
      const changeIds: string[] = [];
      for (let i = 0; i < ids.length; i += MASS_UPDATE_SLICE) {
        const changes = await recordEdits({
          store: this.#store,
          crmSource: input.crm,
          entity: session.entity,
          writable,
          edits: ids
            .slice(i, i + MASS_UPDATE_SLICE)
            .map((recordId) => ({ recordId, values: input.set })),
          author,
        });
        for (const c of changes) changeIds.push(c.id);
      }
      try {
        return await this.#push(session, input.crm, call, {
          changeIds,
          operation: 'mass-update',
          configuration: { set: Object.keys(input.set), records: ids.length },
        });
      } catch (error) {
        // A cancelled mass update is over: what it did not push is not left for the next push.
        if (call.signal?.aborted) {
          const open = await localChangesOf(this.#store).listChanges({
            crmSource: input.crm,
            entity: input.entity,
            states: ['pending'],
          });
          const mine = new Set(changeIds);
          await localChangesOf(this.#store).updateChanges(
            open.filter((c) => mine.has(c.id)).map((c) => c.id),
            {
              state: 'rejected',
              reason: 'the mass update was cancelled before this record was pushed',
            },
          );
        }
        throw error;
      }
    });
  }

  /**
   * Starts a mass update in the background and resolves once its history row exists, with the
   * run id (progress goes to `call.onProgress`; `cancel(runId)` stops it between batches).
   * Bad input is refused before anything starts.
   */
  startMassUpdate(
    input: MassUpdateInput,
    call: Omit<WriteCall, 'signal'> = {},
  ): Promise<{ runId: string; total: number; done: Promise<PushResult> }> {
    const controller = new AbortController();
    return new Promise((resolve, reject) => {
      let started = false;
      const done = this.massUpdate(input, {
        ...call,
        signal: controller.signal,
        onProgress: (p) => {
          if (!started) {
            started = true;
            this.#background.set(p.runId, controller);
            resolve({ runId: p.runId, total: p.total, done });
          }
          call.onProgress?.(p);
        },
      });
      done
        .catch((error: unknown) => {
          if (!started) reject(error);
          else
            this.#logger.warn(
              `mass update failed: ${error instanceof Error ? error.message : String(error)}`,
            );
        })
        .finally(() => {
          for (const [runId, c] of this.#background)
            if (c === controller) this.#background.delete(runId);
        });
    });
  }

  /** Cancels a background mass update of this process; false when none runs under that id. */
  cancel(runId: string): boolean {
    const controller = this.#background.get(runId);
    if (!controller) return false;
    controller.abort(new Error('the mass update was cancelled'));
    return true;
  }

  async #matching(
    crm: string,
    session: WriteSession,
    where: readonly RecordFilter[],
  ): Promise<string[]> {
    // Loaded here: the query builds on Prisma, which a store opened by `crmsync sync` leaves
    // unloaded (issue 28), and which opening crmsync must not load through this module.
    const { RecordQuery } = await import('../records/records-query.js');
    const query = new RecordQuery(await this.#store.usePrisma(), this.#store.provider);
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await query.page({
        crm,
        entity: session.entity.name,
        fields: session.entity.fields,
        filters: [...where],
        first: 500,
        ...(after && { after }),
      });
      ids.push(...page.records.map((r) => r.externalId));
      if (ids.length > MASS_UPDATE_MAX || !page.hasNextPage) break;
      after = page.cursors.at(-1) ?? null;
    }
    return ids;
  }
}
