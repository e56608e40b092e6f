import { SyncEngine } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeniusTestDatabase } from './fake-server/index.js';
import { memoryLogger, skipReason } from './fake-server/test-env.js';
import geniusPlugin from './index.js';

const TZ = 'America/New_York';

// The database below differs from what the entities declare, as a customer's may: the entity
// schema is read from information_schema at run time.
describe.skipIf(skipReason !== null)('Genius records follow the table the database has', () => {
  let db: GeniusTestDatabase;
  const store = new MemoryStore();
  const lines: string[] = [];
  const engine = new SyncEngine({ store, progressIntervalMs: 0, logger: memoryLogger(lines) });
  const sync = (entity: string) =>
    engine.runEntity({
      plugin: geniusPlugin,
      entity,
      config: { GENIUS_DATABASE_URL: db.url, GENIUS_TIMEZONE: TZ, GENIUS_POOL_SIZE: 1 },
      options: { batchSize: 7 },
    });

  beforeAll(async () => {
    db = await GeniusTestDatabase.create({ timeZone: TZ, size: 30 });
    await db.execute('ALTER TABLE quote DROP COLUMN label, ADD COLUMN sales_rep VARCHAR(50)');
    await db.execute("UPDATE quote SET sales_rep = CONCAT('rep ', id), amount = '1234.50'");
    await db.execute('ALTER TABLE prospect_source MODIFY source_date DATE');
    await db.execute("UPDATE prospect_source SET source_date = '2026-03-04'");
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('warns once per run about a declared column the table lacks, and leaves it out rather than storing null', async () => {
    lines.length = 0;
    const run = await sync('quotes');
    expect(run.status).toBe('success');
    expect(run.counts.processed).toBe(30);
    const warnings = lines.filter((l) => l.startsWith('warn') && l.includes('`label`'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /quote: the entity declares `label` but the database's table has no such column/,
    );
    const quote = await store.getRecord('genius', 'quotes', '5');
    expect(quote?.data).not.toHaveProperty('label');
  });

  it('keeps undeclared columns in the record and DECIMALs as the text the database holds', async () => {
    const quote = await store.getRecord('genius', 'quotes', '5');
    expect(quote?.data.sales_rep).toBe('rep 5');
    expect(quote?.data.amount).toBe('1234.50');
    expect(quote?.data.expire_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('keeps a DATE column as written even where the entity declares a date-time', async () => {
    const run = await sync('prospect_sources');
    expect(run.status).toBe('success');
    const row = await store.getRecord('genius', 'prospect_sources', '3');
    expect(row?.data.source_date).toBe('2026-03-04');
  });

  it('gives a lead never updated its added_on as the remote update time', async () => {
    await sync('leads');
    const [lead] = await db.execute(
      'SELECT lead_id FROM `lead` WHERE updated_at IS NULL ORDER BY lead_id LIMIT 1',
    );
    const stored = await store.getRecord('genius', 'leads', String(lead?.lead_id));
    expect(stored?.data.updated_at).toBeNull();
    expect(stored?.remoteUpdatedAt?.toISOString()).toBe(stored?.data.added_on);
  });

  it('syncs the six tables of the contract the plugin lacked, marketsharp_appointments by delta', async () => {
    const tables: Record<string, string> = {
      integration_field_definitions: 'integration_field_definition',
      integration_fields: 'integration_field',
      marketsharp_sources: 'marketsharp_source',
      marketsharp_marketing_source_maps: 'marketsharp_marketing_source_map',
      marketsharp_contacts: 'marketsharp_contacts',
      marketsharp_appointments: 'marketsharp_appointments',
    };
    for (const [entity, table] of Object.entries(tables)) {
      const run = await sync(entity);
      const [row] = await db.execute(`SELECT COUNT(*) AS n FROM \`${table}\``);
      expect(run.status, entity).toBe('success');
      expect(run.counts.created, entity).toBe(Number(row?.n));
    }
    const touched = await db.touch('marketsharp_appointments', 'id', 2);
    const delta = await sync('marketsharp_appointments');
    expect(delta).toMatchObject({ mode: 'delta', status: 'success' });
    expect(delta.counts.processed).toBe(touched.length);
    const contact = await store.getRecord('genius', 'marketsharp_contacts', '1');
    expect(contact?.data).toHaveProperty('first_name');
  });
});
