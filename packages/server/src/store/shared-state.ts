import type { RequestBudgets, SourceMarks } from '@crmsync/core';
import type { PrismaClient } from './prisma-client.js';

/** Windows older than this many window lengths are deleted as a key opens a new one. */
const KEPT_WINDOWS = 4;

/**
 * RequestBudgets in the crmsync database (`request_budget`), shared by every process on it:
 * one atomic upsert per request, granted while the window's count is under the limit — the
 * same statement on SQLite and PostgreSQL (both take `ON CONFLICT … DO UPDATE … WHERE` with
 * `RETURNING`).
 */
export class DatabaseRequestBudgets implements RequestBudgets {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  async take(key: string, limit: number, windowMs: number, now = new Date()): Promise<number> {
    const start = Math.floor(now.getTime() / windowMs) * windowMs;
    const rows = await this.#prisma.$queryRaw<Array<{ used: number | bigint }>>`
      INSERT INTO "request_budget" ("key", "window_start", "used")
      VALUES (${key}, ${BigInt(start)}, 1)
      ON CONFLICT ("key", "window_start")
      DO UPDATE SET "used" = "request_budget"."used" + 1 WHERE "request_budget"."used" < ${limit}
      RETURNING "used"`;
    const used = rows[0] === undefined ? undefined : Number(rows[0].used);
    if (used === undefined || used > limit) return start + windowMs - now.getTime();
    if (used === 1) {
      await this.#prisma.requestBudget.deleteMany({
        where: { key, windowStart: { lt: BigInt(start - KEPT_WINDOWS * windowMs) } },
      });
    }
    return 0;
  }
}

/** SourceMarks in the crmsync database (`source_mark`). */
export class DatabaseSourceMarks implements SourceMarks {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  async get(crmSource: string, entity: string): Promise<Record<string, string>> {
    const rows = await this.#prisma.sourceMark.findMany({ where: { crmSource, entity } });
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  async set(crmSource: string, entity: string, marks: Record<string, string>): Promise<void> {
    const updatedAt = new Date();
    await this.#prisma.$transaction(
      Object.entries(marks).map(([name, value]) =>
        this.#prisma.sourceMark.upsert({
          where: { crmSource_entity_name: { crmSource, entity, name } },
          create: { crmSource, entity, name, value, updatedAt },
          update: { value, updatedAt },
        }),
      ),
    );
  }
}
