/** What a spreadsheet reads as the start of a formula (OWASP's CSV-injection rule). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell per RFC 4180: quoted when it holds a comma, quote, or line break. A text that a
 * spreadsheet would run as a formula gets a leading `'`; numbers, dates and JSON are written as
 * they are (a number cannot carry a formula, and `-3` must stay a number).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'object'
        ? JSON.stringify(value)
        : typeof value === 'string' && FORMULA_START.test(value)
          ? `'${value}`
          : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
