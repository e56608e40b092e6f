import {
  type CrmPlugin,
  entitiesFor,
  errorMessage,
  type Logger,
  type PluginConfigValues,
  type SyncEngine,
  type SyncRun,
  silentLogger,
} from '@crmsync/core';
import type { WebhookClaim, WebhookEventStore } from './webhook-store.js';

/** A CRM whose webhooks this worker processes: its plugin and resolved config. */
export interface WebhookTarget {
  plugin: CrmPlugin;
  config: PluginConfigValues;
}

export interface WebhookProcessorOptions {
  store: WebhookEventStore;
  engine: SyncEngine;
  /** The CRMs by name. */
  targets: ReadonlyMap<string, WebhookTarget>;
  workerId: string;
  /** Events of a (crm, entity) wait this long for more to coalesce with. Default 500 ms. */
  debounceMs?: number;
  /** How often an idle worker looks for events. Default 100 ms. */
  pollMs?: number;
  logger?: Logger;
}

/**
 * Turns stored webhook events into runs: claims the events of one (crm, entity) once the
 * oldest has waited the debounce window, keeps for each id its latest event (changed or
 * deleted), and runs the entity with trigger `webhook` — a targeted read through `fetchByIds`
 * where the entity has it, else the ordinary delta. A run that fails releases its events for a
 * retry; a worker that dies holding them loses nothing (the lease runs out).
 */
export class WebhookProcessor {
  readonly #o: WebhookProcessorOptions;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #busy: Promise<void> = Promise.resolve();

  constructor(options: WebhookProcessorOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger();
  }

  /**
   * Claims and processes one group; resolves with its run, or null when nothing was due.
   * `now` (for tests) is the clock of the claim and of a retry's backoff.
   */
  async processOnce(now = new Date()): Promise<SyncRun | null> {
    const { store } = this.#o;
    const claim = await store.claim(this.#o.workerId, this.#o.debounceMs ?? 500, now);
    if (!claim) return null;
    const renew = setInterval(
      () => void store.renew(claim).catch(() => {}),
      Math.max(1_000, store.leaseMs / 3),
    );
    try {
      const run = await this.#run(claim);
      if (run.status === 'failed')
        await store.fail(claim, run.errorMessage ?? 'run failed', run.id, now);
      else await store.complete(claim, run.id);
      return run;
    } catch (error) {
      const message = errorMessage(error);
      this.#log.warn(
        `webhook events of ${claim.crmSource}.${claim.entity} not processed: ${message}`,
      );
      await store.fail(claim, message, null, now);
      return null;
    } finally {
      clearInterval(renew);
    }
  }

  async #run(claim: WebhookClaim): Promise<SyncRun> {
    const target = this.#o.targets.get(claim.crmSource);
    if (!target) throw new Error(`no plugin ${claim.crmSource} is configured on this worker`);
    const entity = entitiesFor(target.plugin, target.config).find((e) => e.name === claim.entity);
    if (!entity) throw new Error(`${claim.crmSource} has no entity ${claim.entity}`);
    // The latest event of each id decides: changed (re-read) or deleted.
    const latest = new Map<string, boolean>();
    for (const e of claim.events)
      for (const id of e.ids) {
        latest.delete(id);
        latest.set(id, e.deleted);
      }
    const changed = [...latest].filter(([, deleted]) => !deleted).map(([id]) => id);
    const deleted = [...latest].filter(([, d]) => d).map(([id]) => id);
    return this.#o.engine.runEntity({
      plugin: target.plugin,
      entity: claim.entity,
      config: target.config,
      trigger: 'webhook',
      waitIfRunning: true,
      webhook: {
        events: claim.events.length,
        ...(entity.fetchByIds && { ids: changed }),
        deletedIds: deleted,
      },
    });
  }

  /** Processes groups as they come due until `stop()`. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const tick = () => {
      if (this.#stopped) return;
      this.#busy = (async () => {
        try {
          while (!this.#stopped && (await this.processOnce())) {}
        } catch (error) {
          this.#log.warn(`webhook worker: ${errorMessage(error)}`);
        }
      })();
      void this.#busy.then(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.pollMs ?? 100);
      });
    };
    tick();
  }

  /** Stops polling and waits for the group in hand to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#busy;
  }
}
