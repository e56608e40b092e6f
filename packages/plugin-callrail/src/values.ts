/**
 * CallRail's own spellings of values, parsed at the edge. A call's `value` is a currency
 * string (`"$100.00"`, `"-$1,250.50"`); a company's `script_url` is protocol-relative
 * (`//cdn.callrail.com/…`).
 */
const CURRENCY = /^\s*(-)?\s*[^\d\s.,-]*\s*(-)?\s*([\d,]*\.?\d+)\s*[^\d\s]*\s*$/;

/** The amount of a currency string, or of a number; null when there is none. */
export function currencyAmount(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const m = CURRENCY.exec(value);
  if (!m?.[3]) return null;
  const amount = Number(m[3].replace(/,/g, ''));
  if (!Number.isFinite(amount)) return null;
  return m[1] || m[2] ? -amount : amount;
}

/** A protocol-relative URL made absolute over https (how CallRail's script is served). */
export function absoluteUrl(value: unknown): unknown {
  return typeof value === 'string' && value.startsWith('//') ? `https:${value}` : value;
}
