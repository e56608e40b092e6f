import { fileURLToPath } from 'node:url';
import { type CrmPlugin, SyncEngine } from '@crmsync/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteTestDatabase } from '../../test/store/test-databases.js';
import { openStore } from '../store/open-store.js';
import { recordIndexPrefix } from '../store/record-table.js';

/** The faker plugin from its sources (the server package does not depend on a built plugin). */
const { fakerPlugin } = (await import(
  fileURLToPath(new URL('../../../plugin-faker/src/index.ts', import.meta.url))
)) as { fakerPlugin: CrmPlugin };

describe('a sync prepares the indexes its entity declares', () => {
  const db = createSqliteTestDatabase();
  afterAll(() => db.drop());

  it('builds them before a run that writes, never on a dry run', async () => {
    const store = await openStore({ databaseUrl: db.url });
    try {
      // Faker's companies with two fields declared indexed.
      const plugin: CrmPlugin = {
        ...fakerPlugin,
        entities: fakerPlugin.entities.map((entity) =>
          entity.name !== 'companies'
            ? entity
            : {
                ...entity,
                fields: {
                  ...entity.fields,
                  industry: { type: 'string', indexed: true },
                  employees: { type: 'integer', indexed: true },
                },
              },
        ),
      };
      const indexes = () =>
        store.prisma.$queryRaw<Array<{ name: string }>>`
          SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'crm_record'
            AND substr(name, 1, length(${recordIndexPrefix('faker', 'companies')}))
              = ${recordIndexPrefix('faker', 'companies')}`;
      const engine = new SyncEngine({ store, progressIntervalMs: 0 });
      const sync = (dryRun: boolean) =>
        engine.runEntity({
          plugin,
          entity: 'companies',
          config: { FAKER_SIZE: 50 },
          options: { dryRun },
        });
      expect((await sync(true)).status).toBe('success');
      expect(await indexes()).toHaveLength(0);
      expect((await sync(false)).status).toBe('success');
      expect(await indexes()).toHaveLength(2);
      expect((await sync(false)).status).toBe('success');
      expect(await indexes()).toHaveLength(2);
    } finally {
      await store.close();
    }
  }, 60_000);
});
