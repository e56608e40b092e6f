import type { RunEvent } from '../contracts/events.js';
import type { SyncRun } from '../contracts/run.js';

/**
 * A side effect attached to syncs, in graphql-yoga's plugin style: a `useX(options)` function
 * returns one, and the engine calls whichever of its methods it has. Attach hooks to one sync
 * (`hooks` of a run) or to every sync of an engine (`SyncEngineOptions.hooks`).
 *
 * @example
 * const useRunLog = (lines: string[]): SyncHook => ({
 *   onRunFinished: (run) => lines.push(`${run.syncType}: ${run.status}`),
 * });
 * await engine.run({ plugin, config, entity: 'all', hooks: [useRunLog(lines)] });
 */
export interface SyncHook {
  /** Every event of the run (started, progress, log, finished); synchronous, keep it quick. */
  onRunEvent?(event: RunEvent): void;
  /** The run's history row exists. */
  onRunStarted?(run: SyncRun): void;
  /** The run's history row is finished (success, partial or failed). */
  onRunFinished?(run: SyncRun): void;
  /**
   * After every run of the sync (each entity of `all`) is finished; awaited before the sync
   * resolves. Not called when the sync is refused before any run.
   */
  onSyncDone?(runs: SyncRun[]): void | Promise<void>;
}

/** Calls each hook's methods for one event; a hook that throws does not stop the others. */
export function dispatchRunEvent(
  hooks: readonly SyncHook[],
  event: RunEvent,
  onError: (error: unknown) => void,
): void {
  for (const hook of hooks) {
    try {
      hook.onRunEvent?.(event);
      if (event.type === 'run-started') hook.onRunStarted?.(event.run);
      else if (event.type === 'run-finished') hook.onRunFinished?.(event.run);
    } catch (error) {
      onError(error);
    }
  }
}
