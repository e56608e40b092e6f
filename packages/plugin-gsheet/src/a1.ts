/** A parsed A1 range: which tab, and 1-based inclusive row/column bounds (open ends undefined). */
export interface A1Range {
  sheet: string;
  startRow?: number;
  endRow?: number;
  startCol?: number;
  endCol?: number;
}

export function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

export function columnLetters(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26))
    s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** `Sheet1`, `'Marketing Leads'` (quotes doubled inside), as Google writes tab names in ranges. */
export function quoteSheet(title: string): string {
  return /^[A-Za-z0-9_]+$/.test(title) ? title : `'${title.replace(/'/g, "''")}'`;
}

const CELLS = /^([A-Za-z]{1,3})?(\d+)?(?::([A-Za-z]{1,3})?(\d+)?)?$/;

/**
 * Parses `Sheet1!A1:D1000`, `'Marketing Leads'!A:Z`, `Sheet1` (whole tab) and `A1:B2`
 * (first tab). Returns null when Google would answer "Unable to parse range".
 */
export function parseA1(range: string, tabs: readonly string[]): A1Range | null {
  let sheet: string | undefined;
  let cells: string | undefined;
  if (range.startsWith("'")) {
    let i = 1;
    let title = '';
    for (; i < range.length; i++) {
      if (range[i] === "'") {
        if (range[i + 1] === "'") {
          title += "'";
          i++;
          continue;
        }
        break;
      }
      title += range[i];
    }
    if (i >= range.length) return null;
    sheet = title;
    const rest = range.slice(i + 1);
    if (rest !== '' && !rest.startsWith('!')) return null;
    cells = rest.slice(1) || undefined;
  } else {
    const bang = range.lastIndexOf('!');
    if (bang >= 0) {
      sheet = range.slice(0, bang);
      cells = range.slice(bang + 1);
    } else if (tabs.includes(range)) {
      sheet = range;
    } else {
      sheet = tabs[0];
      cells = range;
    }
  }
  if (sheet === undefined || !tabs.includes(sheet)) return null;
  if (cells === undefined || cells === '') return { sheet };
  const m = CELLS.exec(cells);
  if (!m) return null;
  const [, c1, r1, c2, r2] = m;
  if (!c1 && !r1) return null;
  const out: A1Range = { sheet };
  if (c1) out.startCol = columnNumber(c1);
  if (r1) out.startRow = Number(r1);
  if (cells.includes(':')) {
    if (c2) out.endCol = columnNumber(c2);
    if (r2) out.endRow = Number(r2);
  } else {
    if (c1) out.endCol = out.startCol;
    if (r1) out.endRow = out.startRow;
  }
  return out;
}
