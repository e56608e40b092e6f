import {
  createDefaultProcessor,
  defineEntity,
  type EntityDefinition,
  type MappedRecord,
} from '@crmsync/core';
import type { SheetRow, SheetsClient } from '../client.js';
import { ROW_FIELD, type TabConfig, tabFields } from '../tabs.js';

/**
 * A configured tab as an entity. Sheets have no change filter, so the delta kind is `none`:
 * every run reads the tab (unless Drive says the file has not changed since the last
 * successful run started), the engine skips rows whose hash is unchanged and soft-deletes
 * rows that are no longer in the sheet.
 *
 * Columns are whatever the header says, so the processor keeps every column: the declared
 * `fields` are typed by the default processor, the others are stored as read. A tab keyed by
 * a column leaves the row number out of the record — otherwise deleting one row would
 * rewrite every row below it.
 */
export function tabEntity(tab: TabConfig): EntityDefinition<SheetsClient, SheetRow> {
  const entity = defineEntity<SheetsClient, SheetRow>({
    name: tab.entity,
    displayName: tab.displayName ?? tab.entity,
    description: `Google Sheets ${tab.spreadsheetId}, range ${tab.range}`,
    primaryKey: tab.keyColumn ?? ROW_FIELD,
    delta: { kind: 'none' },
    // Sheets' quota counts requests (60 reads a minute per user), not rows: a window of
    // thousands of rows per request, as the API's own `A2:Z5001` examples.
    pageSize: { default: 5_000, max: 10_000 },
    fields: tabFields(tab),
    fetch: (client, request) => client.readTab(tab, request),
  });
  const typed = createDefaultProcessor(entity, 'gsheet');
  entity.processor = {
    transform(raw: SheetRow): MappedRecord {
      const record = typed.transform(raw);
      for (const [column, value] of Object.entries(raw)) {
        if (column in entity.fields || (column === ROW_FIELD && tab.keyColumn)) continue;
        record.data[column] = value;
      }
      return record;
    },
    validate: (record, context) => typed.validate(record, context),
  };
  return entity;
}
