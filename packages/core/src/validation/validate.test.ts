import { describe, expect, it } from 'vitest';
import type { FieldSchema, FieldSpec } from '../contracts/fields.js';
import type { MappedRecord, ValidationContext } from '../contracts/processor.js';
import { checkField } from './field-checks.js';
import { validateRecord, validationWarning } from './validate.js';

const spec = (type: FieldSpec['type'], extra: Partial<FieldSpec> = {}): FieldSpec => ({
  type,
  ...extra,
});

describe('checkField', () => {
  const cases: Array<[FieldSpec['type'], unknown[], unknown[]]> = [
    ['email', ['a@b.co', ' x.y+z@example.org '], ['a@b', 'nope', 42]],
    [
      'phone',
      ['+1 (555) 123-4567', '5551234567', '555-123-4567 ext 12', 5551234567],
      ['12', 'call me', '1234567890123456'],
    ],
    [
      'url',
      ['https://example.com/a?b=1', 'http://x.io'],
      ['example.com', 'ftp://x.io', 'javascript:alert(1)'],
    ],
    ['date', ['2026-02-28'], ['2026-02-30', '28/02/2026', '2026-02-28T00:00:00Z']],
    ['datetime', ['2026-02-28T10:00:00.000Z', '2026-02-28'], ['yesterday', 12]],
    ['decimal', [1.5, -3, 0], ['1.5', Number.NaN, Number.POSITIVE_INFINITY]],
    ['integer', [1, -3, 0], [1.5, '2']],
    ['boolean', [true, false], ['true', 1]],
    ['zip_code', ['12345', '12345-6789'], ['1234', 'ABCDE', '123456']],
    ['state', ['TX', 'ny', 'DC'], ['Texas', 'XX', 'T']],
    ['object_id', ['abc-123', 42], ['has space', { id: 1 }]],
    ['json', [{ a: 1 }, [1, 2], 'text'], []],
    ['string', ['hello'], [42, { a: 1 }]],
  ];
  for (const [type, good, bad] of cases) {
    it(`accepts and rejects ${type} values`, () => {
      for (const value of good) expect(checkField(spec(type), value), String(value)).toBeNull();
      for (const value of bad)
        expect(checkField(spec(type), value), String(value)).toEqual(expect.any(String));
    });
  }

  it('checks maxLength of strings and text', () => {
    expect(checkField(spec('string', { maxLength: 3 }), 'abc')).toBeNull();
    expect(checkField(spec('text', { maxLength: 3 }), 'abcd')).toBe('longer than 3 characters');
  });

  it('requires a value only for required fields', () => {
    for (const empty of [null, undefined, '']) {
      expect(checkField(spec('email'), empty)).toBeNull();
      expect(checkField(spec('email', { required: true }), empty)).toBe('a value is required');
    }
  });
});

describe('validateRecord', () => {
  const fields: FieldSchema = {
    id: { type: 'object_id', required: true },
    email: { type: 'email' },
    phone: { type: 'phone' },
    closeDate: { type: 'date' },
  };
  const record: MappedRecord = {
    externalId: '42',
    data: { id: '42', email: 'not-an-email', phone: '5551234567', closeDate: '2026-01-01' },
  };
  const context = (mode: ValidationContext['mode']): ValidationContext => ({
    crm: 'acme',
    entity: 'contacts',
    mode,
    fields,
  });

  it('warns in lenient mode and keeps the original value', () => {
    const result = validateRecord(record, context('lenient'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.record.data.email).toBe('not-an-email');
    expect(result.warnings.map((w) => w.message)).toEqual([
      "Validation warning for field 'email' with value 'not-an-email' (Record: id=42): not a valid email address",
    ]);
    expect(result.warnings[0]).toMatchObject({
      field: 'email',
      recordId: '42',
      value: 'not-an-email',
    });
  });

  it('fails the record in strict mode with every problem', () => {
    const result = validateRecord(
      { ...record, data: { ...record.data, phone: 'x' } },
      context('strict'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toEqual(['email', 'phone']);
  });

  it('checks nothing in skip mode', () => {
    const result = validateRecord(record, context('skip'));
    expect(result).toEqual({ ok: true, record, warnings: [] });
  });

  it('runs business rules after the field checks', () => {
    const rule = (r: MappedRecord) =>
      r.data.email || r.data.phone ? [] : [{ field: 'email', reason: 'needs an email or a phone' }];
    const bare: MappedRecord = { externalId: '7', data: { id: '7', email: null, phone: null } };
    const lenient = validateRecord(bare, context('lenient'), [rule]);
    expect(lenient.ok && lenient.warnings.map((w) => w.message)).toEqual([
      "Validation warning for field 'email' with value '' (Record: id=7): needs an email or a phone",
    ]);
    expect(validateRecord(bare, context('strict'), [rule]).ok).toBe(false);
    expect(validateRecord(record, context('strict'), [() => undefined]).ok).toBe(false);
    expect(
      validateRecord({ ...record, data: { ...record.data, email: 'a@b.co' } }, context('strict'), [
        rule,
      ]).ok,
    ).toBe(true);
  });

  it('shows objects as JSON and cuts long values in the message', () => {
    expect(validationWarning('f', { a: 1 }, '1', 'why').message).toBe(
      `Validation warning for field 'f' with value '{"a":1}' (Record: id=1): why`,
    );
    const long = validationWarning('f', 'x'.repeat(500), '1', 'why').message;
    expect(long.length).toBeLessThan(220);
    expect(long).toContain('...');
  });
});
