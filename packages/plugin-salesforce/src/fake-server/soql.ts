/**
 * The subset of SOQL the fake Salesforce runs, strictly:
 * `SELECT <fields> | COUNT() FROM <Object> [WHERE <cond> [AND <cond>]…]
 * [ORDER BY <field>[, <field>]…] [LIMIT <n>]`, each condition `<field> <op> <literal>` with
 * `= != < <= > >=`. Literals: `'text'` (backslash escapes), numbers, `true`/`false`/`null`,
 * and unquoted datetimes `2024-01-01T00:00:00Z` / `…+05:00` (a quoted one for a datetime field
 * is refused as Salesforce refuses it).
 */
export interface SoqlQuery {
  count: boolean;
  fields: string[];
  object: string;
  where: Array<{ field: string; op: string; value: SoqlValue }>;
  orderBy: string[];
  limit?: number;
}

export type SoqlValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'datetime'; value: number };

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

const DATETIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?)(Z|[+-]\d\d:\d\d)$/;

function literal(text: string): SoqlValue {
  const t = text.trim();
  if (/^'(?:[^'\\]|\\.)*'$/.test(t))
    return { kind: 'string', value: t.slice(1, -1).replace(/\\(.)/g, '$1') };
  if (/^(true|false)$/i.test(t)) return { kind: 'boolean', value: t.toLowerCase() === 'true' };
  if (/^null$/i.test(t)) return { kind: 'null' };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'number', value: Number(t) };
  const m = DATETIME.exec(t);
  if (m) return { kind: 'datetime', value: Date.parse(`${m[1]}${m[2]}`) };
  throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t}'`);
}

export function parseSoql(q: string): SoqlQuery {
  const m =
    /^\s*SELECT\s+(.+?)\s+FROM\s+([A-Za-z][A-Za-z0-9_]*)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(.+?))?(?:\s+LIMIT\s+(\d+))?\s*$/is.exec(
      q,
    );
  if (!m) throw new SoqlError('MALFORMED_QUERY', `unexpected token in query: ${q.slice(0, 80)}`);
  const select = (m[1] as string).trim();
  const count = /^COUNT\(\s*\)$/i.test(select);
  const fields = count ? [] : select.split(',').map((f) => f.trim());
  for (const f of fields)
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(f))
      throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${f}'`);
  const where = (m[3] ?? '')
    .split(/\s+AND\s+/i)
    .filter((c) => c.trim() !== '')
    .map((c) => {
      const cm = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*(>=|<=|!=|=|>|<)\s*(.+?)\s*$/.exec(c);
      if (!cm) throw new SoqlError('MALFORMED_QUERY', `unexpected token in condition: ${c}`);
      return { field: cm[1] as string, op: cm[2] as string, value: literal(cm[3] as string) };
    });
  const orderBy = (m[4] ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of orderBy)
    if (!/^[A-Za-z][A-Za-z0-9_]*(\s+ASC)?$/i.test(f))
      throw new SoqlError('MALFORMED_QUERY', `the fake orders ascending only: '${f}'`);
  return {
    count,
    fields,
    object: m[2] as string,
    where,
    orderBy: orderBy.map((f) => f.split(/\s+/)[0] as string),
    ...(m[5] !== undefined && { limit: Number(m[5]) }),
  };
}
