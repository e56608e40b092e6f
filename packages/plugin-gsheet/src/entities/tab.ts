import { defineEntity, type EntityDefinition } from '@crmsync/core';
import type { SheetRow, SheetsClient } from '../client.js';
import { ROW_FIELD, type TabConfig, tabFields } from '../tabs.js';

/**
 * A configured tab as an entity. Sheets have no change filter, so the delta kind is `none`:
 * every run reads the tab (unless Drive says the file has not changed since the last
 * successful run started), the engine skips rows whose hash is unchanged and soft-deletes
 * rows that are no longer in the sheet.
 */
export function tabEntity(tab: TabConfig): EntityDefinition<SheetsClient, SheetRow> {
  return defineEntity<SheetsClient, SheetRow>({
    name: tab.entity,
    displayName: tab.displayName ?? tab.entity,
    description: `Google Sheets ${tab.spreadsheetId}, range ${tab.range}`,
    primaryKey: tab.keyColumn ?? ROW_FIELD,
    delta: { kind: 'none' },
    fields: tabFields(tab),
    fetch: (client, request) => client.readTab(tab, request),
  });
}
