import {
  type CrmPlugin,
  errorMessage,
  type Logger,
  type PluginConfigValues,
  redact,
  silentLogger,
  type WebhookSubscription,
  type WebhookSubscriptions,
} from '@crmsync/core';
import { isHookEndpoint } from './endpoint-path.js';
import { withPluginClient } from './plugin-client.js';
import type { WebhookRenewalLedger } from './renewal-ledger.js';

/** A configured CRM whose webhook subscriptions expire, with the secret they were made with. */
export interface RenewalTarget {
  plugin: CrmPlugin;
  config: PluginConfigValues;
  /** The value of the plugin's `webhooks.secretEnv`: never logged nor recorded. */
  secret: string;
}

export interface SubscriptionRenewalOptions {
  targets: readonly RenewalTarget[];
  ledger: WebhookRenewalLedger;
  /** One `info` line per renewal, one `warn` line per failure. */
  logger?: Logger;
  /** Subscriptions expiring within this are renewed. Default 24 h. */
  marginMs?: number;
}

/** What one look at a CRM's subscriptions did. */
export type RenewalOutcome =
  | { crm: string; renewed: number; expiresAt: Date | null }
  | { crm: string; error: string };

export const DEFAULT_RENEWAL_MARGIN_MS = 24 * 3_600_000;

/** crmsync's own subscriptions: those posting to a `/hooks/<crm>` endpoint. */
function isCrmsyncs(crm: string, s: WebhookSubscription): boolean {
  try {
    return isHookEndpoint(crm, new URL(s.url).pathname);
  } catch {
    return false;
  }
}

function earliest(subs: readonly WebhookSubscription[]): Date | null {
  const times = subs.flatMap((s) => (s.expiresAt ? [s.expiresAt.getTime()] : []));
  return times.length ? new Date(Math.min(...times)) : null;
}

/**
 * Renews the webhook subscriptions of each target that are about to expire (Zoho's
 * notification channels end after a week at most): lists crmsync's subscriptions and, when the
 * first of them expires within the margin, has the plugin renew them (`renew` renews all of
 * crmsync's at once). Each look is recorded in the ledger and a renewal or a failure logged;
 * a failing CRM does not stop the others. Run by one worker at a time (an Agenda job).
 */
export class SubscriptionRenewal {
  readonly #o: SubscriptionRenewalOptions;
  readonly #log: Logger;

  constructor(options: SubscriptionRenewalOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger();
  }

  /** Looks at every target once. `now` (for tests) decides what is due. */
  async run(signal: AbortSignal, now = new Date()): Promise<RenewalOutcome[]> {
    const outcomes: RenewalOutcome[] = [];
    for (const target of this.#o.targets) {
      if (signal.aborted) break;
      try {
        outcomes.push(await this.#renew(target, signal, now));
      } catch (error) {
        if (signal.aborted) break;
        // A database error recording one CRM's outcome does not keep the others from renewing.
        this.#log.warn(
          `${target.plugin.name}: webhook renewal not recorded: ${redact(errorMessage(error), [target.secret])}`,
        );
      }
    }
    return outcomes;
  }

  async #renew(target: RenewalTarget, signal: AbortSignal, now: Date): Promise<RenewalOutcome> {
    const crm = target.plugin.name;
    const subscriptions = target.plugin.webhooks?.subscriptions as WebhookSubscriptions;
    const margin = this.#o.marginMs ?? DEFAULT_RENEWAL_MARGIN_MS;
    let outcome: { renewed: number; expiresAt: Date | null };
    try {
      const renew = subscriptions.renew;
      if (!renew) throw new Error('its webhook subscriptions do not expire');
      outcome = await withPluginClient(
        target,
        this.#log.child(`crmsync:plugin:${crm}:hooks`),
        signal,
        async (client) => {
          const ours = (await subscriptions.list(client, signal)).filter((s) => isCrmsyncs(crm, s));
          const first = earliest(ours);
          if (!first || first.getTime() - now.getTime() > margin)
            return { renewed: 0, expiresAt: first };
          const renewed = await renew(client, { secret: target.secret, signal });
          return { renewed: renewed.length, expiresAt: earliest(renewed) };
        },
      );
    } catch (error) {
      // Stopping (or the turn's time running out) is not the CRM failing: the next turn retries.
      if (signal.aborted) throw error;
      const message = redact(errorMessage(error), [target.secret]);
      this.#log.warn(`${crm}: webhook subscriptions not renewed: ${message}`);
      await this.#o.ledger.failed(crm, message, now);
      return { crm, error: message };
    }
    if (outcome.renewed > 0)
      this.#log.info(
        `${crm}: renewed ${outcome.renewed} webhook subscription(s), now expiring ${outcome.expiresAt?.toISOString() ?? 'never'}`,
      );
    await this.#o.ledger.succeeded(crm, outcome, now);
    return { crm, ...outcome };
  }
}
