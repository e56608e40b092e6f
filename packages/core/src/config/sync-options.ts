import { z } from 'zod';
import { InputError } from '../contracts/errors.js';
import type { CrmPlugin, PluginOptionSpec } from '../contracts/plugin.js';
import type { SyncOptions } from '../contracts/run.js';

/** Flags the old system had, and the flag that replaced each. */
export const REMOVED_FLAGS: Readonly<Record<string, string>> = {
  since: 'start-date',
  test: 'dry-run',
  verbose: 'debug',
  'force-overwrite': 'force',
};

/** `--since was removed: use --start-date instead`, or null for a flag that was not removed. */
export function removedFlagMessage(flag: string): string | null {
  const name = kebab(flag.replace(/^--/, ''));
  const replacement = REMOVED_FLAGS[name];
  return replacement ? `--${name} was removed: use --${replacement} instead` : null;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Absent, null and '' all mean "not given" (an empty form field, an unset GraphQL input). */
const blank = (v: unknown) => (v === null || v === '' ? undefined : v);

const flag = z.preprocess(
  blank,
  z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
);

const wholeNumber = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : blank(v)),
    z.number().int().min(min).max(max).optional(),
  );

const day = z.preprocess(
  blank,
  z
    .union([
      z.date(),
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .transform((text, ctx) => {
          const date = new Date(`${text}T00:00:00.000Z`);
          // `2025-02-30` parses as 2 March: a real calendar day prints back unchanged.
          if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
            ctx.addIssue({ code: 'custom', message: 'not a calendar day' });
            return z.NEVER;
          }
          return date;
        }),
    ])
    .optional(),
);

const rangeText = (min: number, max: number) =>
  max >= Number.MAX_SAFE_INTEGER
    ? `a whole number of at least ${min}`
    : min <= Number.MIN_SAFE_INTEGER
      ? `a whole number of at most ${max}`
      : `a whole number from ${min} to ${max}`;

const syncOptionsSchema = z.object({
  full: flag,
  force: flag,
  startDate: day,
  endDate: day,
  batchSize: wholeNumber(1, 10_000),
  maxRecords: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  dryRun: flag,
  skipValidation: flag,
  strictValidation: flag,
  debug: flag,
});

type SyncOptionKey = keyof z.infer<typeof syncOptionsSchema>;

/** What each universal flag expects, as the error message says it. */
const EXPECTED: Record<SyncOptionKey, string> = {
  full: 'true or false',
  force: 'true or false',
  startDate: 'a date as YYYY-MM-DD, e.g. 2025-01-31',
  endDate: 'a date as YYYY-MM-DD, e.g. 2025-01-31',
  batchSize: rangeText(1, 10_000),
  maxRecords: rangeText(1, Number.MAX_SAFE_INTEGER),
  dryRun: 'true or false',
  skipValidation: 'true or false',
  strictValidation: 'true or false',
  debug: 'true or false',
};

const day10 = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The universal flags from raw input (CLI flags, GraphQL input, a schedule's options), in
 * camelCase or kebab-case; other keys (a plugin's own options) are left alone. Errors are
 * `InputError`s naming the flag as the CLI spells it: `Invalid start-date: expected a date
 * as YYYY-MM-DD, e.g. 2025-01-31 (got "2025-13-01")`. A removed flag is refused with the
 * flag that replaced it.
 */
export function parseSyncOptions(raw: Record<string, unknown>): SyncOptions {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const removed = REMOVED_FLAGS[kebab(key)];
    if (removed && value !== undefined)
      throw new InputError(kebab(key), `--${removed} instead (--${kebab(key)} was removed)`);
    const name = camel(key);
    if (name in EXPECTED && input[name] === undefined) input[name] = value;
  }
  const parsed = syncOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const key = String(parsed.error.issues[0]?.path[0]) as SyncOptionKey;
    throw new InputError(kebab(key), EXPECTED[key], input[key]);
  }
  const o = parsed.data;
  if (o.full && o.force) throw new InputError('force', 'either --force or --full, not both');
  if (o.skipValidation && o.strictValidation)
    throw new InputError(
      'strict-validation',
      'either --skip-validation or --strict-validation, not both',
    );
  if (o.startDate && o.endDate && o.endDate < o.startDate)
    throw new InputError(
      'end-date',
      `a date on or after --start-date ${day10(o.startDate)}`,
      day10(o.endDate),
    );
  const options: SyncOptions = {};
  if (o.full) options.full = true;
  if (o.force) options.force = true;
  if (o.startDate) options.startDate = o.startDate;
  if (o.endDate) options.endDate = o.endDate;
  if (o.batchSize !== undefined) options.batchSize = o.batchSize;
  if (o.maxRecords !== undefined) options.maxRecords = o.maxRecords;
  if (o.dryRun) options.dryRun = true;
  if (o.skipValidation) options.skipValidation = true;
  if (o.strictValidation) options.strictValidation = true;
  if (o.debug) options.debug = true;
  return options;
}

function optionSchema(spec: PluginOptionSpec): { schema: z.ZodType; expected: string } {
  switch (spec.type) {
    case 'boolean':
      return { schema: flag, expected: 'true or false' };
    case 'integer': {
      const min = spec.min ?? Number.MIN_SAFE_INTEGER;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      return { schema: wholeNumber(min, max), expected: rangeText(min, max) };
    }
    case 'enum': {
      const choices = [...(spec.choices ?? [])];
      return {
        schema: z.preprocess(blank, z.enum(choices as [string, ...string[]]).optional()),
        expected: `one of ${choices.join(', ')}`,
      };
    }
    default:
      return {
        schema: z.preprocess(
          (v) => (typeof v === 'number' ? String(v) : blank(v)),
          z.string().optional(),
        ),
        expected: 'text',
      };
  }
}

/**
 * A plugin's own options (kebab-case as declared, or camelCase), typed by its spec, with
 * defaults applied. Unknown options are refused with the list of known ones.
 */
export function parsePluginOptions(
  plugin: Pick<CrmPlugin, 'name' | 'options'>,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const specs = plugin.options ?? {};
  for (const key of Object.keys(raw)) {
    if (raw[key] === undefined || key in specs || kebab(key) in specs) continue;
    const known = Object.keys(specs);
    throw new InputError(
      key,
      known.length
        ? `one of ${plugin.name}'s options: ${known.join(', ')}`
        : `no option (${plugin.name} has none)`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = raw[name] !== undefined ? raw[name] : raw[camel(name)];
    const { schema, expected } = optionSchema(spec);
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InputError(name, expected, value);
    if (parsed.data !== undefined) out[name] = parsed.data;
    else if (spec.default !== undefined) out[name] = spec.default;
  }
  return out;
}
