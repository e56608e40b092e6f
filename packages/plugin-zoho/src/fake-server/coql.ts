/**
 * Enough of COQL for the fake: `select f1, f2 from Module [where …] [order by f [asc|desc], …]
 * [limit [offset,] count]`. Conditions are `=`, `!=`, `<`, `<=`, `>`, `>=`, `like`, `not like`,
 * `in (…)`, `not in (…)`, `is null`, `is not null`, joined by `and`/`or` with parentheses.
 * Datetime values (`'2024-01-01T00:00:00+00:00'`) compare as instants, as Zoho compares them.
 */

export type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'cmp'; field: string; cmp: string; value: Value | Value[] };

type Value = string | number | boolean | null;

export interface CoqlQuery {
  fields: string[];
  module: string;
  where?: Condition;
  orderBy: Array<{ field: string; desc: boolean }>;
  offset: number;
  limit: number;
}

export class CoqlSyntaxError extends Error {}

const TOKEN =
  /\s*(?:('(?:[^'\\]|\\.)*')|(-?\d+(?:\.\d+)?)(?![\w])|(>=|<=|!=|<>|=|<|>|\(|\)|,)|([A-Za-z_$][\w$.]*))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new CoqlSyntaxError(`unexpected character at ${at}: ${text.slice(at, at + 12)}`);
    tokens.push(m[0].trim());
    at = TOKEN.lastIndex;
  }
  return tokens;
}

/** Parses a select query; a `CoqlSyntaxError` names what was expected. */
export function parseCoql(text: string): CoqlQuery {
  const t = tokenize(text);
  let i = 0;
  const peek = () => t[i]?.toLowerCase();
  const next = () => {
    const v = t[i++];
    if (v === undefined) throw new CoqlSyntaxError('unexpected end of query');
    return v;
  };
  const expect = (word: string) => {
    const v = next();
    if (v.toLowerCase() !== word) throw new CoqlSyntaxError(`expected ${word} near ${v}`);
  };
  const ident = () => {
    const v = next();
    if (!/^[A-Za-z_$][\w$.]*$/.test(v)) throw new CoqlSyntaxError(`expected a field near ${v}`);
    return v;
  };
  const value = (): Value => {
    const v = next();
    if (v.startsWith("'")) return v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (/^-?\d/.test(v)) return Number(v);
    if (v.toLowerCase() === 'null') return null;
    if (v.toLowerCase() === 'true' || v.toLowerCase() === 'false')
      return v.toLowerCase() === 'true';
    throw new CoqlSyntaxError(`expected a value near ${v}`);
  };
  expect('select');
  const fields = [ident()];
  while (peek() === ',') {
    i++;
    fields.push(ident());
  }
  expect('from');
  const module = ident();
  const atom = (): Condition => {
    if (peek() === '(') {
      i++;
      const c = or();
      expect(')');
      return c;
    }
    const field = ident();
    let op = next().toLowerCase();
    if (op === 'is') {
      const not = peek() === 'not';
      if (not) i++;
      expect('null');
      return { op: 'cmp', field, cmp: not ? 'is not null' : 'is null', value: null };
    }
    if (op === 'not') op = `not ${next().toLowerCase()}`;
    if (op === 'in' || op === 'not in') {
      expect('(');
      const values = [value()];
      while (peek() === ',') {
        i++;
        values.push(value());
      }
      expect(')');
      return { op: 'cmp', field, cmp: op, value: values };
    }
    if (!['=', '!=', '<>', '<', '<=', '>', '>=', 'like', 'not like'].includes(op))
      throw new CoqlSyntaxError(`unknown operator ${op}`);
    return { op: 'cmp', field, cmp: op === '<>' ? '!=' : op, value: value() };
  };
  const and = (): Condition => {
    let left = atom();
    while (peek() === 'and') {
      i++;
      left = { op: 'and', left, right: atom() };
    }
    return left;
  };
  const or = (): Condition => {
    let left = and();
    while (peek() === 'or') {
      i++;
      left = { op: 'or', left, right: and() };
    }
    return left;
  };
  const query: CoqlQuery = { fields, module, orderBy: [], offset: 0, limit: 200 };
  if (peek() === 'where') {
    i++;
    query.where = or();
  }
  if (peek() === 'order') {
    i++;
    expect('by');
    do {
      if (peek() === ',') i++;
      const field = ident();
      let desc = false;
      if (peek() === 'asc' || peek() === 'desc') desc = next().toLowerCase() === 'desc';
      query.orderBy.push({ field, desc });
    } while (peek() === ',');
  }
  if (peek() === 'limit') {
    i++;
    const first = Number(next());
    if (peek() === ',') {
      i++;
      query.offset = first;
      query.limit = Number(next());
    } else {
      query.limit = first;
      if (peek() === 'offset') {
        i++;
        query.offset = Number(next());
      }
    }
    if (!Number.isInteger(query.limit) || !Number.isInteger(query.offset))
      throw new CoqlSyntaxError('limit and offset must be whole numbers');
  }
  if (i < t.length) throw new CoqlSyntaxError(`unexpected ${t[i]}`);
  return query;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

/** Orders two values as COQL does: instants for datetimes, numbers, then text. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string' && ISO.test(a) && ISO.test(b))
    return Date.parse(a) - Date.parse(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  const sa = String(a);
  const sb = String(b);
  if (/^\d+$/.test(sa) && /^\d+$/.test(sb))
    return sa.length - sb.length || (sa < sb ? -1 : sa > sb ? 1 : 0);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Whether `record` meets `condition` (lookups compare by their id). */
export function matches(record: Record<string, unknown>, condition: Condition): boolean {
  if (condition.op === 'cmp') return compareCondition(record, condition);
  return condition.op === 'and'
    ? matches(record, condition.left) && matches(record, condition.right)
    : matches(record, condition.left) || matches(record, condition.right);
}

function compareCondition(
  record: Record<string, unknown>,
  condition: Extract<Condition, { op: 'cmp' }>,
): boolean {
  let v = record[condition.field];
  if (v && typeof v === 'object' && 'id' in v) v = (v as { id: unknown }).id;
  const want = condition.value;
  switch (condition.cmp) {
    case 'is null':
      return v === null || v === undefined;
    case 'is not null':
      return v !== null && v !== undefined;
    case 'in':
      return (want as Value[]).some((w) => compareValues(v, w) === 0);
    case 'not in':
      return !(want as Value[]).some((w) => compareValues(v, w) === 0);
    case 'like':
    case 'not like': {
      const pattern = new RegExp(
        `^${String(want)
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')}$`,
        'i',
      );
      return pattern.test(String(v ?? '')) === (condition.cmp === 'like');
    }
  }
  if (v === null || v === undefined) return false;
  const c = compareValues(v, want);
  switch (condition.cmp) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}
