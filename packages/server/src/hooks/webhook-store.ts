import { randomUUID } from 'node:crypto';
import type { WebhookEvent } from '@crmsync/core';
import type { PrismaClient } from '../store/index.js';

/** A group of pending events of one (crm, entity), claimed by one worker until `leaseUntil`. */
export interface WebhookClaim {
  token: string;
  crmSource: string;
  entity: string;
  /** In arrival order. */
  events: Array<{ id: number; eventId: string; ids: string[]; deleted: boolean; attempts: number }>;
}

export interface WebhookStoreOptions {
  /** A claim not renewed for this long is taken for dead and its events claimed again. Default 60 s. */
  leaseMs?: number;
  /** Events of one group in one claim (one run). Default 20,000. */
  maxEventsPerClaim?: number;
  /** Attempts before an event is marked `failed`. Default 5. */
  maxAttempts?: number;
  /** Backoff before the n-th retry: `retryBaseMs * 2^(n-1)`. Default 1 s. */
  retryBaseMs?: number;
}

/**
 * The `webhook_event` table: events stored before the endpoint answers, deduplicated by the
 * vendor's event id, claimed with a lease (a killed worker's events are claimed again once its
 * lease runs out), completed with the run that processed them, or retried with backoff.
 */
export class WebhookEventStore {
  readonly #prisma: PrismaClient;
  readonly leaseMs: number;
  readonly #maxEvents: number;
  readonly #maxAttempts: number;
  readonly #retryBaseMs: number;

  constructor(prisma: PrismaClient, options: WebhookStoreOptions = {}) {
    this.#prisma = prisma;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.#maxEvents = options.maxEventsPerClaim ?? 20_000;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#retryBaseMs = options.retryBaseMs ?? 1_000;
  }

  /** Stores the events not seen before; returns how many were new and how many duplicates. */
  async record(
    crmSource: string,
    events: WebhookEvent[],
    now = new Date(),
  ): Promise<{ stored: number; duplicates: number }> {
    const unique = new Map<string, WebhookEvent>();
    for (const e of events) if (!unique.has(e.eventId)) unique.set(e.eventId, e);
    const known = new Set<string>();
    const ids = [...unique.keys()];
    for (let i = 0; i < ids.length; i += 400) {
      const rows = await this.#prisma.webhookEvent.findMany({
        where: { crmSource, eventId: { in: ids.slice(i, i + 400) } },
        select: { eventId: true },
      });
      for (const r of rows) known.add(r.eventId);
    }
    const fresh = [...unique.values()].filter((e) => !known.has(e.eventId));
    const row = (e: WebhookEvent) => ({
      crmSource,
      eventId: e.eventId,
      entity: e.entity,
      ids: e.ids,
      deleted: e.deleted === true,
      ...(e.record !== undefined && { record: e.record as object }),
      receivedAt: now,
      availableAt: now,
    });
    let stored = 0;
    try {
      stored = (await this.#prisma.webhookEvent.createMany({ data: fresh.map(row) })).count;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another request stored one of them meanwhile: one by one, skipping those.
      for (const e of fresh) {
        try {
          await this.#prisma.webhookEvent.create({ data: row(e) });
          stored++;
        } catch (inner) {
          if (!isUniqueViolation(inner)) throw inner;
        }
      }
    }
    return { stored, duplicates: events.length - stored };
  }

  /**
   * Claims the pending events of the (crm, entity) group whose oldest claimable event arrived
   * at least `debounceMs` ago — the group's later events ride along — or returns null.
   */
  async claim(
    workerId: string,
    debounceMs: number,
    now = new Date(),
  ): Promise<WebhookClaim | null> {
    const claimable = {
      status: 'pending',
      availableAt: { lte: now },
      OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
    };
    const oldest = await this.#prisma.webhookEvent.findFirst({
      where: { ...claimable, receivedAt: { lte: new Date(now.getTime() - debounceMs) } },
      orderBy: { id: 'asc' },
      select: { crmSource: true, entity: true },
    });
    if (!oldest) return null;
    const group = { crmSource: oldest.crmSource, entity: oldest.entity };
    // The newest event this claim may take: the group's first `maxEventsPerClaim`.
    const last = await this.#prisma.webhookEvent.findFirst({
      where: { ...claimable, ...group },
      orderBy: { id: 'asc' },
      skip: this.#maxEvents - 1,
      select: { id: true },
    });
    const token = `${workerId}:${randomUUID()}`;
    // One statement with the conditions again: a row another worker claimed meanwhile is not taken twice.
    await this.#prisma.webhookEvent.updateMany({
      where: { ...claimable, ...group, ...(last && { id: { lte: last.id } }) },
      data: { claimedBy: token, leaseUntil: new Date(now.getTime() + this.leaseMs) },
    });
    const rows = await this.#prisma.webhookEvent.findMany({
      where: { claimedBy: token },
      orderBy: { id: 'asc' },
      select: { id: true, eventId: true, ids: true, deleted: true, attempts: true },
    });
    if (rows.length === 0) return null;
    return {
      token,
      ...group,
      events: rows.map((r) => ({ ...r, ids: (r.ids as unknown[]).map(String) })),
    };
  }

  /** Extends a live claim's lease (while its run goes on). */
  async renew(claim: WebhookClaim, now = new Date()): Promise<void> {
    await this.#prisma.webhookEvent.updateMany({
      where: { claimedBy: claim.token, status: 'pending' },
      data: { leaseUntil: new Date(now.getTime() + this.leaseMs) },
    });
  }

  async complete(claim: WebhookClaim, runId: string, now = new Date()): Promise<void> {
    await this.#prisma.webhookEvent.updateMany({
      where: { claimedBy: claim.token },
      data: { status: 'done', runId, processedAt: now, claimedBy: null, leaseUntil: null },
    });
  }

  /** Releases the claim for a retry after a backoff; events out of attempts become `failed`. */
  async fail(claim: WebhookClaim, message: string, runId: string | null, now = new Date()) {
    const attempts = Math.max(...claim.events.map((e) => e.attempts)) + 1;
    const delay = this.#retryBaseMs * 2 ** (attempts - 1);
    await this.#prisma.webhookEvent.updateMany({
      where: { claimedBy: claim.token },
      data: {
        attempts: { increment: 1 },
        lastError: message.slice(0, 2000),
        runId,
        availableAt: new Date(now.getTime() + delay),
        claimedBy: null,
        leaseUntil: null,
        ...(attempts >= this.#maxAttempts && { status: 'failed', processedAt: now }),
      },
    });
  }

  /** Per CRM: last event, events since `since`, failed events, pending events. */
  async status(since: Date) {
    const rows = await this.#prisma.webhookEvent.groupBy({
      by: ['crmSource', 'status'],
      _count: { _all: true },
      _max: { receivedAt: true },
      where: { receivedAt: { gte: since } },
    });
    return rows.map((r) => ({
      crmSource: r.crmSource,
      status: r.status,
      count: r._count._all,
      lastReceivedAt: r._max.receivedAt,
    }));
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'P2002';
}
