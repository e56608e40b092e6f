import { columnLetters, parseA1, quoteSheet } from '../a1.js';

/** A cell as the sheet holds it: a plain value, or a value with its display text / formula. */
export type Cell =
  | string
  | number
  | boolean
  | null
  | { value: string | number | boolean; formatted?: string; formula?: string };

export interface FakeSpreadsheet {
  name: string;
  /** Tab title → rows of cells (row 1 first). */
  tabs: Record<string, Cell[][]>;
  modifiedTime: Date;
  /** Service-account emails allowed to read it; default: every one. */
  sharedWith?: string[];
}

/**
 * A `ValueRange` for an A1 range as `values.get` answers it: trailing empty cells and rows
 * dropped, `values` left out when nothing is there; `null` when the range does not parse.
 */
export function valueRange(sheet: FakeSpreadsheet, range: string, render: string, major: string) {
  const a1 = parseA1(range, Object.keys(sheet.tabs));
  if (!a1) return null;
  const rows = sheet.tabs[a1.sheet] ?? [];
  const r0 = a1.startRow ?? 1;
  const r1 = a1.endRow ?? gridRows(rows);
  const c0 = a1.startCol ?? 1;
  const c1 = a1.endCol ?? gridCols(rows);
  let values: unknown[][] = [];
  for (let r = r0; r <= Math.min(r1, rows.length); r++) {
    const row = rows[r - 1] ?? [];
    const out: unknown[] = [];
    for (let c = c0; c <= Math.min(c1, row.length); c++)
      out.push(renderCell(row[c - 1] ?? null, render));
    while (out.length > 0 && (out[out.length - 1] === '' || out[out.length - 1] === undefined))
      out.pop();
    values.push(out);
  }
  while (values.length > 0 && (values[values.length - 1] as unknown[]).length === 0) values.pop();
  if (major === 'COLUMNS') values = transpose(values);
  const body: Record<string, unknown> = {
    range: `${quoteSheet(a1.sheet)}!${columnLetters(c0)}${r0}:${columnLetters(c1)}${r1}`,
    majorDimension: major,
  };
  // Google leaves `values` out entirely when the range holds nothing.
  if (values.length > 0) body.values = values;
  return body;
}

function renderCell(cell: Cell, render: string): unknown {
  if (cell === null || cell === undefined) return '';
  if (typeof cell !== 'object') {
    if (render === 'FORMATTED_VALUE')
      return typeof cell === 'boolean' ? (cell ? 'TRUE' : 'FALSE') : String(cell);
    return cell;
  }
  if (render === 'FORMULA' && cell.formula) return cell.formula;
  if (render === 'FORMATTED_VALUE') {
    if (cell.formatted !== undefined) return cell.formatted;
    return typeof cell.value === 'boolean' ? (cell.value ? 'TRUE' : 'FALSE') : String(cell.value);
  }
  return cell.value;
}

export function gridRows(rows: Cell[][]): number {
  return Math.max(1000, rows.length);
}

export function gridCols(rows: Cell[][]): number {
  return Math.max(26, ...rows.map((r) => r.length));
}

function transpose(rows: unknown[][]): unknown[][] {
  const width = Math.max(0, ...rows.map((r) => r.length));
  const cols: unknown[][] = [];
  for (let c = 0; c < width; c++) {
    const col = rows.map((r) => r[c] ?? '');
    while (col.length > 0 && col[col.length - 1] === '') col.pop();
    cols.push(col);
  }
  return cols;
}
