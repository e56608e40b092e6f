import { describe, expect, it } from 'vitest';
import { InputError } from '../contracts/errors.js';
import { REMOVED_FLAGS, removedFlagMessage } from './sync-flags.js';
import { parsePluginOptions, parseSyncOptions } from './sync-options.js';

function refusal(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseSyncOptions', () => {
  it('reads every universal flag, camelCase or kebab-case, into typed options', () => {
    expect(
      parseSyncOptions({
        full: true,
        'start-date': '2025-01-31',
        endDate: '2025-02-28',
        'batch-size': '500',
        maxRecords: 20,
        'dry-run': 'true',
        skipValidation: true,
        debug: 'false',
        'window-days': '3',
      }),
    ).toEqual({
      full: true,
      startDate: new Date('2025-01-31T00:00:00.000Z'),
      endDate: new Date('2025-02-28T00:00:00.000Z'),
      batchSize: 500,
      maxRecords: 20,
      dryRun: true,
      skipValidation: true,
    });
    expect(parseSyncOptions({})).toEqual({});
    expect(parseSyncOptions({ force: true, strictValidation: true, batchSize: '' })).toEqual({
      force: true,
      strictValidation: true,
    });
  });

  it.each([['2025-13-01'], ['2025-02-30'], ['31/01/2025'], ['2025-1-5'], ['yesterday']])(
    'refuses start-date %s, naming the flag and the format',
    (value) => {
      const error = refusal(() => parseSyncOptions({ startDate: value }));
      expect(error.message).toBe(
        `Invalid start-date: expected a date as YYYY-MM-DD, e.g. 2025-01-31 (got "${value}")`,
      );
      expect(error.context.field).toBe('start-date');
      expect(error.kind).toBe('config');
    },
  );

  it('refuses an end date before the start date', () => {
    const error = refusal(() =>
      parseSyncOptions({ 'start-date': '2025-03-01', 'end-date': '2025-02-01' }),
    );
    expect(error.message).toBe(
      'Invalid end-date: expected a date on or after --start-date 2025-03-01 (got "2025-02-01")',
    );
    expect(parseSyncOptions({ startDate: '2025-03-01', endDate: '2025-03-01' }).endDate).toEqual(
      new Date('2025-03-01T00:00:00.000Z'),
    );
  });

  it.each([
    [{ batchSize: 0 }, 'batch-size', 'a whole number from 1 to 10000'],
    [{ 'batch-size': '10001' }, 'batch-size', 'a whole number from 1 to 10000'],
    [{ batchSize: 2.5 }, 'batch-size', 'a whole number from 1 to 10000'],
    [{ batchSize: 'lots' }, 'batch-size', 'a whole number from 1 to 10000'],
    [{ maxRecords: -1 }, 'max-records', 'a whole number of at least 1'],
    [{ 'max-records': '0' }, 'max-records', 'a whole number of at least 1'],
    [{ dryRun: 'yes please' }, 'dry-run', 'true or false'],
    [{ full: 1 }, 'full', 'true or false'],
  ])('refuses %j as %s', (raw, field, expected) => {
    const error = refusal(() => parseSyncOptions(raw));
    expect(error.context.field).toBe(field);
    expect(error.message).toContain(`Invalid ${field}: expected ${expected}`);
  });

  it('accepts the batch-size bounds', () => {
    expect(parseSyncOptions({ batchSize: 1 }).batchSize).toBe(1);
    expect(parseSyncOptions({ batchSize: '10000' }).batchSize).toBe(10_000);
  });

  it('refuses contradictory flags', () => {
    expect(refusal(() => parseSyncOptions({ full: true, force: true })).message).toContain(
      'either --force or --full',
    );
    expect(
      refusal(() => parseSyncOptions({ skipValidation: true, strictValidation: true })).message,
    ).toContain('either --skip-validation or --strict-validation');
  });

  it('refuses each removed flag with the one that replaced it', () => {
    for (const [old, replacement] of Object.entries(REMOVED_FLAGS)) {
      const error = refusal(() => parseSyncOptions({ [old]: true }));
      expect(error.message).toContain(`--${replacement}`);
      expect(error.message).toContain(`--${old} was removed`);
    }
    expect(refusal(() => parseSyncOptions({ forceOverwrite: true })).message).toContain('--force');
  });
});

describe('removedFlagMessage', () => {
  it('names the replacement of a removed flag and nothing for a current one', () => {
    expect(removedFlagMessage('--since')).toBe('--since was removed: use --start-date instead');
    expect(removedFlagMessage('test')).toBe('--test was removed: use --dry-run instead');
    expect(removedFlagMessage('--verbose')).toBe('--verbose was removed: use --debug instead');
    expect(removedFlagMessage('force-overwrite')).toBe(
      '--force-overwrite was removed: use --force instead',
    );
    expect(removedFlagMessage('--start-date')).toBeNull();
  });
});

describe('parsePluginOptions', () => {
  const plugin = {
    name: 'arrivy',
    options: {
      'high-performance': { type: 'boolean', description: 'x', default: false },
      'concurrent-pages': { type: 'integer', description: 'x', min: 1, max: 8, default: 2 },
      'task-status': { type: 'enum', description: 'x', choices: ['open', 'done'] },
      label: { type: 'string', description: 'x' },
    },
  } as const;

  it('types each option, takes camelCase too, and applies defaults', () => {
    expect(
      parsePluginOptions(plugin, { highPerformance: 'true', 'concurrent-pages': '4', label: 7 }),
    ).toEqual({ 'high-performance': true, 'concurrent-pages': 4, label: '7' });
    expect(parsePluginOptions(plugin, {})).toEqual({
      'high-performance': false,
      'concurrent-pages': 2,
    });
    expect(parsePluginOptions(plugin, { taskStatus: 'done' })['task-status']).toBe('done');
  });

  it('refuses a bad value naming the option and what it expects', () => {
    expect(refusal(() => parsePluginOptions(plugin, { 'concurrent-pages': 9 })).message).toBe(
      'Invalid concurrent-pages: expected a whole number from 1 to 8 (got 9)',
    );
    expect(refusal(() => parsePluginOptions(plugin, { 'task-status': 'lost' })).message).toBe(
      'Invalid task-status: expected one of open, done (got "lost")',
    );
    expect(
      refusal(() => parsePluginOptions(plugin, { 'high-performance': 'maybe' })).context.field,
    ).toBe('high-performance');
  });

  it('refuses an unknown option with the list of known ones', () => {
    expect(refusal(() => parsePluginOptions(plugin, { turbo: true })).message).toContain(
      "one of arrivy's options: high-performance, concurrent-pages, task-status, label",
    );
    expect(refusal(() => parsePluginOptions({ name: 'faker' }, { turbo: true })).message).toContain(
      'faker has none',
    );
  });
});
