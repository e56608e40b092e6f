import { z } from 'zod';
import type { PrismaClient } from '../store/index.js';

/** What the workers last found and did about one CRM's expiring webhook subscriptions. */
export interface WebhookRenewalStatus {
  /** When a worker last looked at them (listed them, renewing those due). */
  checkedAt: Date;
  /** The earliest expiry of crmsync's subscriptions after that look; null: none expire. */
  expiresAt: Date | null;
  /** When a worker last renewed them, and how many it renewed then. */
  renewedAt: Date | null;
  renewed: number | null;
  /** Why the last look failed (secrets removed); null once a look succeeds. */
  error: string | null;
}

const date = z.iso.datetime().transform((s) => new Date(s));
const Stored = z.object({
  checkedAt: date,
  expiresAt: date.nullable(),
  renewedAt: date.nullable(),
  renewed: z.number().int().nonnegative().nullable(),
  error: z.string().nullable(),
});

/**
 * Kept in `source_mark` under the entity `*` (every entity of the CRM, as a subscription's
 * `entity` says it), so `Crm.webhooks` on any API process reads what any worker recorded.
 */
const ENTITY = '*';
const NAME = 'webhook-renewal';

/**
 * The outcome of the workers' renewal of each CRM's webhook subscriptions, one row per CRM.
 * Written only by the worker holding the renewal job's lock, so read-then-write is safe.
 */
export class WebhookRenewalLedger {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  /** The last recorded outcome, or null when no worker has looked (or the row is not ours). */
  async read(crmSource: string): Promise<WebhookRenewalStatus | null> {
    const row = await this.#prisma.sourceMark.findUnique({
      where: { crmSource_entity_name: { crmSource, entity: ENTITY, name: NAME } },
      select: { value: true },
    });
    if (!row) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(row.value);
    } catch {
      return null;
    }
    const parsed = Stored.safeParse(raw);
    return parsed.success ? parsed.data : null;
  }

  /** A successful look: `renewed` subscriptions (0: none were due), expiring first at `expiresAt`. */
  async succeeded(
    crmSource: string,
    outcome: { renewed: number; expiresAt: Date | null },
    now = new Date(),
  ): Promise<void> {
    const before = await this.read(crmSource);
    await this.#write(crmSource, {
      checkedAt: now,
      expiresAt: outcome.expiresAt,
      renewedAt: outcome.renewed > 0 ? now : (before?.renewedAt ?? null),
      renewed: outcome.renewed > 0 ? outcome.renewed : (before?.renewed ?? null),
      error: null,
    });
  }

  /** A failed look: the last known expiry and renewal stay, `error` says why. */
  async failed(crmSource: string, error: string, now = new Date()): Promise<void> {
    const before = await this.read(crmSource);
    await this.#write(crmSource, {
      checkedAt: now,
      expiresAt: before?.expiresAt ?? null,
      renewedAt: before?.renewedAt ?? null,
      renewed: before?.renewed ?? null,
      error: error.slice(0, 2000),
    });
  }

  async #write(crmSource: string, status: WebhookRenewalStatus): Promise<void> {
    const value = JSON.stringify(status);
    const updatedAt = status.checkedAt;
    await this.#prisma.sourceMark.upsert({
      where: { crmSource_entity_name: { crmSource, entity: ENTITY, name: NAME } },
      create: { crmSource, entity: ENTITY, name: NAME, value, updatedAt },
      update: { value, updatedAt },
    });
  }
}
