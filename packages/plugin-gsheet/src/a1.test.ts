import { describe, expect, it } from 'vitest';
import { columnLetters, columnNumber, parseA1, quoteSheet } from './a1.js';

const tabs = ['Sheet1', 'Marketing Leads', "Bob's"];

describe('A1 ranges', () => {
  it('parses a bounded range on a named tab', () => {
    expect(parseA1('Sheet1!A1:D1000', tabs)).toEqual({
      sheet: 'Sheet1',
      startCol: 1,
      startRow: 1,
      endCol: 4,
      endRow: 1000,
    });
  });
  it('parses quoted tab names with spaces and doubled quotes, and open row ranges', () => {
    expect(parseA1("'Marketing Leads'!A:Z", tabs)).toEqual({
      sheet: 'Marketing Leads',
      startCol: 1,
      endCol: 26,
    });
    expect(parseA1("'Bob''s'", tabs)).toEqual({ sheet: "Bob's" });
  });
  it('reads a bare tab name as the whole tab and bare cells as the first tab', () => {
    expect(parseA1('Sheet1', tabs)).toEqual({ sheet: 'Sheet1' });
    expect(parseA1('A1:B2', tabs)).toEqual({
      sheet: 'Sheet1',
      startCol: 1,
      startRow: 1,
      endCol: 2,
      endRow: 2,
    });
  });
  it('refuses what Google cannot parse', () => {
    expect(parseA1('Nope!A1:B2', tabs)).toBeNull();
    expect(parseA1('Sheet1!1A', tabs)).toBeNull();
  });
  it('converts columns and quotes titles the way Google writes them', () => {
    expect(columnNumber('AA')).toBe(27);
    expect(columnLetters(27)).toBe('AA');
    expect(columnLetters(26)).toBe('Z');
    expect(quoteSheet('Marketing Leads')).toBe("'Marketing Leads'");
    expect(quoteSheet("Bob's")).toBe("'Bob''s'");
  });
});
