import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
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

/** See `WebhookEventStore.status`. */
export interface WebhookEventStatus {
  lastEventAt: Date | null;
  received: number;
  pending: number;
  retrying: number;
  failed: number;
  lastError: string | null;
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
  /** A group that never goes quiet for the debounce is claimed after this long. Default 5 s. */
  maxWaitMs?: number;
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
  readonly #maxWaitMs: number;
  #lastDeadCheck = 0;

  constructor(prisma: PrismaClient, options: WebhookStoreOptions = {}) {
    this.#prisma = prisma;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.#maxEvents = options.maxEventsPerClaim ?? 20_000;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#retryBaseMs = options.retryBaseMs ?? 1_000;
    this.#maxWaitMs = options.maxWaitMs ?? 5_000;
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
   * Claims the pending events of a (crm, entity) group that is due — quiet for `debounceMs`
   * (its newest event arrived that long ago: a burst is taken whole), or waiting since
   * `maxWaitMs` (a stream that never pauses still gets processed) — or returns null. Of
   * several due groups, the one waiting longest goes first.
   */
  async claim(
    workerId: string,
    debounceMs: number,
    now = new Date(),
  ): Promise<WebhookClaim | null> {
    await this.#releaseDeadClaims(now);
    const claimable = {
      status: 'pending',
      availableAt: { lte: now },
      OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
    };
    // By id (arrival order): SQLite's DateTime aggregates come back null through Prisma.
    const groups = await this.#prisma.webhookEvent.groupBy({
      by: ['crmSource', 'entity'],
      where: claimable,
      _min: { id: true },
      _max: { id: true },
    });
    const ends = groups.flatMap((g) => [g._min.id ?? 0, g._max.id ?? 0]);
    const received = new Map(
      (
        await this.#prisma.webhookEvent.findMany({
          where: { id: { in: ends } },
          select: { id: true, receivedAt: true },
        })
      ).map((r) => [r.id, r.receivedAt.getTime()]),
    );
    const quietSince = now.getTime() - debounceMs;
    const overdueSince = now.getTime() - Math.max(this.#maxWaitMs, debounceMs);
    const oldest = groups
      .filter(
        (g) =>
          (received.get(g._max.id ?? 0) ?? 0) <= quietSince ||
          (received.get(g._min.id ?? 0) ?? 0) <= overdueSince,
      )
      .sort((a, b) => (a._min.id ?? 0) - (b._min.id ?? 0))[0];
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

  /**
   * Releases, at most once a second, the live-leased claims of processes on this host that no
   * longer exist (a `kill -9`, a crash): their events are claimable at once instead of when
   * the lease runs out. A claim token is `<workerId>:<uuid>`; a worker id `host:pid` of this
   * host whose pid is gone is dead; any other holder is judged by its lease alone.
   */
  async #releaseDeadClaims(now: Date): Promise<void> {
    if (now.getTime() - this.#lastDeadCheck < 1_000 && now.getTime() >= this.#lastDeadCheck) return;
    this.#lastDeadCheck = now.getTime();
    const held = await this.#prisma.webhookEvent.findMany({
      where: { status: 'pending', leaseUntil: { gte: now }, claimedBy: { not: null } },
      distinct: ['claimedBy'],
      select: { claimedBy: true },
      take: 100,
    });
    const dead = held
      .map((h) => h.claimedBy)
      .filter((token): token is string => token !== null && claimHolderGone(token));
    if (dead.length === 0) return;
    await this.#prisma.webhookEvent.updateMany({
      where: { status: 'pending', claimedBy: { in: dead } },
      data: { claimedBy: null, leaseUntil: null },
    });
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

  /**
   * One CRM's events: the last received, those received since `since`, those waiting
   * (`pending`, of which `retrying` after a failed run), those given up on (`failed`, by
   * when they were given up) since `since`, and the newest processing error.
   */
  async status(crmSource: string, since: Date): Promise<WebhookEventStatus> {
    const where = { crmSource };
    const [last, received, pending, retrying, failed, lastFailure] = await Promise.all([
      this.#prisma.webhookEvent.findFirst({
        where,
        orderBy: { id: 'desc' },
        select: { receivedAt: true },
      }),
      this.#prisma.webhookEvent.count({ where: { ...where, receivedAt: { gte: since } } }),
      this.#prisma.webhookEvent.count({ where: { ...where, status: 'pending' } }),
      this.#prisma.webhookEvent.count({
        where: { ...where, status: 'pending', attempts: { gt: 0 } },
      }),
      this.#prisma.webhookEvent.count({
        where: { ...where, status: 'failed', processedAt: { gte: since } },
      }),
      this.#prisma.webhookEvent.findFirst({
        where: { ...where, lastError: { not: null }, status: { in: ['pending', 'failed'] } },
        orderBy: { id: 'desc' },
        select: { lastError: true },
      }),
    ]);
    return {
      lastEventAt: last?.receivedAt ?? null,
      received,
      pending,
      retrying,
      failed,
      lastError: lastFailure?.lastError ?? null,
    };
  }
}

/** True when a claim token names a process of this host (`host:pid:uuid`) that is gone. */
export function claimHolderGone(token: string): boolean {
  const match = /^(.+):(\d+):[^:]+$/.exec(token);
  if (!match || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists, owned by another user.
    return (error as { code?: string }).code !== 'EPERM';
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'P2002';
}
