import { describe, expect, it } from 'vitest';
import { CrmsyncError } from '../contracts/errors.js';
import { defineEntity } from '../contracts/plugin.js';
import { compileRecordBuilder } from './builder.js';
import { canonicalIsoTime, coerceValue } from './coerce.js';
import { getPath } from './path.js';
import { createDefaultProcessor } from './processor.js';

const entity = defineEntity<unknown, Record<string, unknown>>({
  name: 'contacts',
  primaryKey: 'id',
  delta: { kind: 'updated-since', field: 'updatedAt' },
  fields: {
    id: { type: 'object_id', source: 'id', required: true },
    email: { type: 'email', source: 'properties.email' },
    amount: { type: 'decimal', source: 'properties.amount' },
    employees: { type: 'integer', source: 'properties.employees' },
    vip: { type: 'boolean', source: 'properties.vip' },
    birthday: { type: 'date', source: 'properties.birthday' },
    updatedAt: { type: 'datetime', source: 'properties.hs_lastmodifieddate' },
    createdAt: { type: 'datetime', source: 'createdAt' },
    firstTag: { type: 'string', source: 'tags.0' },
    name: { type: 'string' },
  },
  updatedAtField: 'updatedAt',
  createdAtField: 'createdAt',
  async *fetch() {},
});

describe('getPath', () => {
  it('reads dot paths, array indexes, and gives undefined for missing parts', () => {
    const raw = { a: { b: [{ c: 1 }] }, n: null };
    expect(getPath(raw, 'a.b.0.c')).toBe(1);
    expect(getPath(raw, 'a.x.y')).toBeUndefined();
    expect(getPath(raw, 'n.x')).toBeUndefined();
    expect(getPath('text', 'length')).toBeUndefined();
  });
});

describe('coerceValue', () => {
  it('parses the strings HubSpot sends into the field types', () => {
    expect(coerceValue('decimal', '12.50')).toBe(12.5);
    expect(coerceValue('integer', ' 42 ')).toBe(42);
    expect(coerceValue('integer', '4e2')).toBe(400);
    expect(coerceValue('decimal', 'twelve')).toBe('twelve');
    expect(coerceValue('boolean', 'true')).toBe(true);
    expect(coerceValue('boolean', 'false')).toBe(false);
    expect(coerceValue('boolean', 'maybe')).toBe('maybe');
    expect(coerceValue('datetime', '1767225600000')).toBe('2026-01-01T00:00:00.000Z');
    expect(coerceValue('datetime', 1767225600000)).toBe('2026-01-01T00:00:00.000Z');
    expect(coerceValue('datetime', '2026-01-01T01:00:00+01:00')).toBe('2026-01-01T00:00:00.000Z');
    expect(coerceValue('date', '2026-01-31')).toBe('2026-01-31');
    expect(coerceValue('date', '2026-01-31T22:00:00Z')).toBe('2026-01-31');
    expect(coerceValue('datetime', 'soon')).toBe('soon');
    expect(coerceValue('object_id', 7)).toBe('7');
    expect(coerceValue('string', 7)).toBe('7');
    expect(coerceValue('json', { a: 1 })).toEqual({ a: 1 });
  });

  it('turns empty and missing values into null, but keeps empty text', () => {
    expect(coerceValue('decimal', '')).toBeNull();
    expect(coerceValue('email', undefined)).toBeNull();
    expect(coerceValue('string', '')).toBe('');
  });
});

describe('compileRecordBuilder', () => {
  it('builds the fields in order from plain and dot paths, parsed to their types', () => {
    const build = compileRecordBuilder([
      { name: 'a "quoted" \\ name', source: 'q', type: 'string' },
      { name: 'count', source: 'stats.count', type: 'integer' },
      { name: 'constructor', source: 'constructor', type: 'string' },
      { name: 'missing', source: 'nowhere.deep', type: 'string' },
      { name: 'when', source: 'when', type: 'datetime' },
    ]);
    const data = build({ q: 'x', stats: { count: '42' }, when: 1_767_225_600_000 });
    expect(Object.keys(data)).toEqual([
      'a "quoted" \\ name',
      'count',
      'constructor',
      'missing',
      'when',
    ]);
    expect(data).toEqual({
      'a "quoted" \\ name': 'x',
      count: 42,
      // An own property of the raw record only: the prototype's constructor is not data.
      constructor: null,
      missing: null,
      when: '2026-01-01T00:00:00.000Z',
    });
  });

  it('keeps a field named __proto__ as data, not as the prototype', () => {
    const build = compileRecordBuilder([
      { name: '__proto__', source: 'p', type: 'string' },
      { name: 'b', source: 'b', type: 'string' },
    ]);
    const data = build({ p: 'value', b: 'x' });
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(data)).toBe('{"__proto__":"value","b":"x"}');
  });
});

describe('canonicalIsoTime', () => {
  // The fast path must agree with the date parser it replaces: a string is canonical exactly
  // when Date parses it and prints it back unchanged.
  const viaDate = (text: string) => {
    const time = Date.parse(text);
    return !Number.isNaN(time) && new Date(time).toISOString() === text ? time : Number.NaN;
  };

  it('reads toISOString text and leaves anything that could roll over to the date parser', () => {
    expect(canonicalIsoTime('2026-01-31T09:30:00.123Z')).toBe(Date.UTC(2026, 0, 31, 9, 30, 0, 123));
    expect(canonicalIsoTime('1969-12-31T23:59:59.999Z')).toBe(-1);
    expect(canonicalIsoTime('2000-03-01T00:00:00.000Z')).toBe(Date.UTC(2000, 2, 1));
    for (const text of [
      '2024-02-29T00:00:00.000Z',
      '2026-02-29T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:60:00.000Z',
      '2026-01-01T23:59:60.000Z',
      '2026-01-01 23:59:59.000Z',
      '2026-01-01T23:59:59Z',
      '2026-01-01T23:59:59.000+00:00',
      '2026-0a-01T00:00:00.000Z',
    ]) {
      expect(canonicalIsoTime(text), text).toBeNaN();
    }
  });

  it('agrees with Date on every string it reads, and reads nearly all valid ones', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    let valid = 0;
    let read = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = `${pad(1890 + next(220), 4)}-${pad(next(14), 2)}-${pad(next(33), 2)}T${pad(next(26), 2)}:${pad(next(62), 2)}:${pad(next(62), 2)}.${pad(next(1000), 3)}Z`;
      const expected = viaDate(text);
      const fast = canonicalIsoTime(text);
      if (!Number.isNaN(expected)) valid++;
      if (Number.isNaN(fast)) continue;
      read++;
      expect(fast, text).toBe(expected);
    }
    // Only 29 February (about 1 in 1,500 valid strings) is left to the parser.
    expect(read).toBeGreaterThan(valid * 0.99);
  });
});

describe('createDefaultProcessor', () => {
  const processor = createDefaultProcessor(entity, 'hubspot');

  it('maps each field from its source path and parses its type', () => {
    const record = processor.transform({
      id: 101,
      createdAt: '2025-12-01T00:00:00.000Z',
      name: 'Ada',
      tags: ['vip', 'b2b'],
      properties: {
        email: 'ada@example.com',
        amount: '1999.99',
        employees: '12',
        vip: 'true',
        birthday: '1990-12-10',
        hs_lastmodifieddate: '1767225600000',
      },
    });
    expect(record.externalId).toBe('101');
    expect(record.data).toEqual({
      id: '101',
      email: 'ada@example.com',
      amount: 1999.99,
      employees: 12,
      vip: true,
      birthday: '1990-12-10',
      updatedAt: '2026-01-01T00:00:00.000Z',
      createdAt: '2025-12-01T00:00:00.000Z',
      firstTag: 'vip',
      name: 'Ada',
    });
    expect(record.remoteUpdatedAt?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(record.remoteCreatedAt?.toISOString()).toBe('2025-12-01T00:00:00.000Z');
  });

  it('maps absent fields to null and leaves remote times out when they are absent', () => {
    const record = processor.transform({ id: 'x1' });
    expect(record.data.email).toBeNull();
    expect(record.remoteUpdatedAt).toBeUndefined();
    expect(record.remoteCreatedAt).toBeUndefined();
  });

  it('throws a data error naming crm and entity for a record without its key', () => {
    for (const raw of [{ name: 'no id' }, { id: '' }, { id: null }]) {
      let error: unknown;
      try {
        processor.transform(raw);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CrmsyncError);
      expect((error as CrmsyncError).kind).toBe('data');
      expect((error as CrmsyncError).message).toMatch(/^hubspot contacts: record has no id/);
      expect((error as CrmsyncError).context).toMatchObject({ crm: 'hubspot', entity: 'contacts' });
    }
    expect(() => processor.transform(null as unknown as Record<string, unknown>)).toThrow(
      /not an object/,
    );
  });

  it('validates with the entity rules', () => {
    const ruled = createDefaultProcessor(
      { ...entity, rules: [(r) => (r.data.email ? [] : [{ field: 'email', reason: 'missing' }])] },
      'hubspot',
    );
    const record = ruled.transform({ id: '1' });
    const result = ruled.validate(record, {
      crm: 'hubspot',
      entity: 'contacts',
      mode: 'strict',
      fields: entity.fields,
    });
    expect(result.ok).toBe(false);
  });
});
