import { createRequestMetrics, type FetchRequest } from '@crmsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeniusTestDatabase } from './fake-server/index.js';
import { memoryLogger, skipReason } from './fake-server/test-env.js';
import geniusPlugin, { type GeniusClient } from './index.js';

const TZ = 'America/New_York';

describe.skipIf(skipReason !== null)('genius plugin over every entity', () => {
  let db: GeniusTestDatabase;
  let client: GeniusClient;

  beforeAll(async () => {
    db = await GeniusTestDatabase.create({ timeZone: TZ, size: 60 });
    client = await geniusPlugin.createClient({
      config: { GENIUS_DATABASE_URL: db.url, GENIUS_TIMEZONE: TZ, GENIUS_POOL_SIZE: 2 },
      logger: memoryLogger(),
      metrics: createRequestMetrics(),
      signal: new AbortController().signal,
    });
  });
  afterAll(async () => {
    if (client) await geniusPlugin.closeClient?.(client);
    await db?.drop();
  });

  it('declares a well-formed plugin: every dependency exists and every table is in the schema', async () => {
    const names = new Set(geniusPlugin.entities.map((e) => e.name));
    expect(names.size).toBe(geniusPlugin.entities.length);
    for (const entity of geniusPlugin.entities) {
      for (const dep of entity.dependsOn ?? [])
        expect(names, `${entity.name} depends on ${dep}`).toContain(dep);
      expect(entity.fields[entity.primaryKey]?.required, entity.name).toBe(true);
    }
    expect(geniusPlugin.kind).toBe('database');
    expect(geniusPlugin.config.GENIUS_DATABASE_URL?.secret).toBe(true);
  });

  it('reads every row of every table, with each declared field present', async () => {
    const tables = new Map(
      (
        await db.execute(
          'SELECT table_name AS t, table_rows AS n FROM information_schema.tables WHERE table_schema = ?',
          [db.name],
        )
      ).map((r) => [String(r.t), Number(r.n)]),
    );
    for (const entity of geniusPlugin.entities) {
      const request: FetchRequest = {
        mode: 'full',
        batchSize: 17,
        signal: new AbortController().signal,
        options: {},
        logger: memoryLogger(),
      };
      const rows: Record<string, unknown>[] = [];
      for await (const page of entity.fetch(client, request))
        rows.push(...(page.records as Record<string, unknown>[]));
      const table = (entity.description ?? '').match(/`(.+)`/)?.[1] ?? '';
      const [count] = await db.execute(`SELECT COUNT(*) AS n FROM \`${table}\``);
      expect(rows, entity.name).toHaveLength(Number(count?.n));
      expect(tables.has(table), `${entity.name} → ${table}`).toBe(true);
      for (const field of Object.keys(entity.fields))
        expect(rows[0], `${entity.name}.${field}`).toHaveProperty(field);
      expect(new Set(rows.map((r) => r[entity.primaryKey])).size, entity.name).toBe(rows.length);
    }
  });

  it('answers health with the latency, and says why when the database is gone', async () => {
    const health = await geniusPlugin.health?.(client, new AbortController().signal);
    expect(health?.ok).toBe(true);
    const broken = await geniusPlugin.createClient({
      config: {
        GENIUS_DATABASE_URL: 'mysql://root@127.0.0.1:1/none',
        GENIUS_TIMEZONE: 'UTC',
        GENIUS_POOL_SIZE: 1,
      },
      logger: memoryLogger(),
      metrics: createRequestMetrics(),
      signal: new AbortController().signal,
    });
    const down = await geniusPlugin.health?.(broken, new AbortController().signal);
    await geniusPlugin.closeClient?.(broken);
    expect(down?.ok).toBe(false);
    expect(down?.message).toMatch(/Genius database/);
  });

  it('refuses a URL that is not mysql://, naming the setting', () => {
    expect(() =>
      geniusPlugin.createClient({
        config: {
          GENIUS_DATABASE_URL: 'postgres://x',
          GENIUS_TIMEZONE: 'UTC',
          GENIUS_POOL_SIZE: 1,
        },
        logger: memoryLogger(),
        metrics: createRequestMetrics(),
        signal: new AbortController().signal,
      }),
    ).toThrow(/GENIUS_DATABASE_URL/);
    expect(() =>
      geniusPlugin.createClient({
        config: {
          GENIUS_DATABASE_URL: 'mysql://x',
          GENIUS_TIMEZONE: 'Mars/Olympus',
          GENIUS_POOL_SIZE: 1,
        },
        logger: memoryLogger(),
        metrics: createRequestMetrics(),
        signal: new AbortController().signal,
      }),
    ).toThrow(/GENIUS_TIMEZONE/);
  });
});
