import { stripVTControlCharacters as plain } from 'node:util';
import { describe, expect, it } from 'vitest';
import { table } from './output.js';

describe('table', () => {
  for (const color of [false, true]) {
    it(`rules the header off once and draws no rule between rows (colour ${color ? 'on' : 'off'})`, () => {
      const text = plain(
        table(
          ['entity', 'records'],
          [
            ['contacts', 3],
            ['deals', 12],
            ['owners', 0],
          ],
          color,
        ),
      );
      const lines = text.trimEnd().split('\n');
      expect(lines).toHaveLength(7);
      expect(lines[0]).toMatch(/^┌─+┬─+┐$/);
      expect(lines[1]).toMatch(/^│ entity\s+│ records │$/);
      expect(lines[2]).toMatch(/^├─+┼─+┤$/);
      expect(lines.slice(3, 6).map((l) => l.split('│')[1]?.trim())).toEqual([
        'contacts',
        'deals',
        'owners',
      ]);
      expect(lines[6]).toMatch(/^└─+┴─+┘$/);
      expect(lines.filter((l) => l.startsWith('├'))).toHaveLength(1);
    });
  }
});
