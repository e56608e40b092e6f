import { type SalesProTable, salesproTable } from '../tables.js';
import { type Cell, parseId, vaultTime } from './server.js';

const STATES = ['PA', 'NJ', 'DE', 'MD', 'NY', 'VA'];

/** A sample lead_results blob: the question/answer JSON the seeds parsed. */
export function leadResultsBlob(n: number): string {
  return JSON.stringify({
    'Appointment Result': n % 2 ? 'Demo Sold' : 'Demo Not Sold',
    'Result Reason - Demo Not Sold (objection)': n % 2 ? '' : 'Price',
    'Both Homeowners Present?': n % 3 ? 'Yes' : 'No',
    'Job Size': `$${(n % 90) + 10},500.00`,
    'One Year Price': String(12_000 + n),
    'Financing Approved': 'Yes',
    'Did you complete your ST-8 Form Before leaving house?': 'Yes',
    'Notes for Install Team': `Gate code ${n}`,
    'Favourite colour': 'blue',
  });
}

/** Row `n` of a table, created and updated at `at` (ms). */
export function vaultRow(
  table: SalesProTable | string,
  n: number,
  at: number,
): Record<string, Cell> {
  const t = typeof table === 'string' ? salesproTable(table) : table;
  const row: Record<string, Cell> = {};
  for (const [column, type] of Object.entries(t.columns)) {
    if (column === t.key) row[column] = parseId(t.table, n);
    else if (type === 'timestamp') row[column] = vaultTime(at);
    else if (type === 'boolean') row[column] = n % 2;
    else if (type === 'double') row[column] = 1000 + (n % 977) + 0.5;
    else if (type === 'bigint') row[column] = n % 12;
    else if (column === 'state') row[column] = STATES[n % STATES.length] as string;
    else if (column === 'zip_code') row[column] = String(19000 + (n % 900)).padStart(5, '0');
    else if (column === 'lead_results') row[column] = leadResultsBlob(n);
    else if (column.endsWith('_id')) row[column] = parseId(column, n % 500);
    else row[column] = `${column} ${n}`;
  }
  return row;
}
