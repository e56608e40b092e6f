import type { RunTrigger, SyncEngine, SyncHook, SyncRun } from '@crmsync/core';
import {
  type InstalledPlugin,
  type ParseChecks,
  parseSyncRequest,
  type SyncInput,
  type SyncRequest,
} from './sync-request.js';

export interface StartCall {
  trigger: RunTrigger;
  signal?: AbortSignal;
  /** Side effects of this sync only (progress bar, job lock renewal…). */
  hooks?: SyncHook[];
  /** Another live run holds the entity: wait for it to end rather than refuse. */
  waitIfRunning?: boolean;
}

/** A sync under way: its first run's row exists. */
export interface StartedSync {
  /** The first run's id (for `all`, the first entity's run). */
  readonly runId: string;
  /** Every run id so far; grows as `all` moves to the next entity. */
  readonly runIds: readonly string[];
  readonly request: SyncRequest;
  /** Every run, finished (failed runs included: look at their status). */
  readonly done: Promise<SyncRun[]>;
}

/**
 * The one way a sync starts — from the CLI, the GraphQL mutation, a scheduled job or
 * `createCrmsync().sync()`. Each edge parses its raw input into a `SyncRequest` once
 * (`parse`: every check, one wording) and hands it to `start`, which resolves with the run id
 * as soon as the run's row exists, or to `run`, which resolves with the finished runs.
 *
 * @example
 * const request = syncs.parse({ crm: 'faker', entity: 'all', flags: { 'dry-run': true } });
 * const { runId, done } = await syncs.start(request, { trigger: 'api' });
 * const runs = await done;
 */
export class SyncService {
  readonly #engine: SyncEngine;
  readonly #plugins: readonly InstalledPlugin[];

  constructor(engine: SyncEngine, plugins: readonly InstalledPlugin[]) {
    this.#engine = engine;
    this.#plugins = plugins;
  }

  /** Raw input to a typed request; throws core's `InputError` naming the field. */
  parse(input: SyncInput, checks?: ParseChecks): SyncRequest {
    return parseSyncRequest(this.#plugins, input, checks);
  }

  /** Starts the sync; resolves once its first run's row exists (rejects if none ever does). */
  start(request: SyncRequest, call: StartCall): Promise<StartedSync> {
    const runIds: string[] = [];
    return new Promise<StartedSync>((resolve, reject) => {
      let started = false;
      const announce: SyncHook = {
        onRunStarted: (run) => {
          runIds.push(run.id);
          if (started) return;
          started = true;
          resolve({ runId: run.id, runIds, request, done });
        },
      };
      const done = this.#engine.run(this.#params(request, call, [announce, ...(call.hooks ?? [])]));
      done.then(
        () => {
          if (!started)
            reject(
              new Error(
                `The ${request.crm} sync of ${request.entity} ended before starting a run${call.signal?.aborted ? ' (cancelled)' : ''}`,
              ),
            );
        },
        (error: unknown) => {
          if (!started) reject(error);
        },
      );
    });
  }

  /** Starts the sync and resolves with its finished runs. */
  run(request: SyncRequest, call: StartCall): Promise<SyncRun[]> {
    return this.#engine.run(this.#params(request, call, call.hooks ?? []));
  }

  #params(request: SyncRequest, call: StartCall, hooks: SyncHook[]) {
    return {
      plugin: request.installed.plugin,
      config: request.installed.config,
      entity: request.entity,
      options: request.options,
      trigger: call.trigger,
      ...(call.signal && { signal: call.signal }),
      ...(call.waitIfRunning && { waitIfRunning: true }),
      hooks,
    };
  }
}
