import { z } from 'zod';
import { InputError } from '../contracts/errors.js';
import type { CrmPlugin } from '../contracts/plugin.js';
import type { SyncOptions } from '../contracts/run.js';
import {
  camel,
  expectedText,
  flagConflict,
  kebab,
  type OptionShape,
  parseDay,
  REMOVED_FLAGS,
  removedFlagMessage,
  SYNC_FLAGS,
  type SyncFlagKey,
} from './sync-flags.js';

/** `Invalid since: --since was removed: use --start-date instead`, from every edge alike. */
export function removedFlagError(flag: string): InputError {
  const name = kebab(flag.replace(/^--/, ''));
  const error = new InputError(name, `--${REMOVED_FLAGS[name] ?? '?'}`);
  error.message = removedFlagMessage(name) ?? error.message;
  return error;
}

/** Absent, null and '' all mean "not given" (an empty form field, an unset GraphQL input). */
const blank = (v: unknown) => (v === null || v === '' ? undefined : v);

const day10 = (d: Date) => d.toISOString().slice(0, 10);

/** A refused value as the error shows it: `9` whether it came as the CLI's "9" or JSON's 9. */
const shown = (v: unknown) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);

/** The zod schema of one flag or plugin option, from its shape in the flag table. */
export function shapeSchema(shape: OptionShape): z.ZodType {
  switch (shape.type) {
    case 'boolean':
      return z.preprocess(
        blank,
        z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
      );
    case 'integer':
      return z.preprocess(
        (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : blank(v)),
        z
          .number()
          .int()
          .min(shape.min ?? Number.MIN_SAFE_INTEGER)
          .max(shape.max ?? Number.MAX_SAFE_INTEGER)
          .optional(),
      );
    case 'day':
      return z.preprocess(
        blank,
        z
          .union([
            z.date(),
            z.string().transform((text, ctx) => {
              const date = parseDay(text);
              if (date) return date;
              ctx.addIssue({ code: 'custom', message: 'not a calendar day' });
              return z.NEVER;
            }),
          ])
          .optional(),
      );
    case 'enum':
      return z.preprocess(blank, z.enum((shape.choices ?? []) as [string, ...string[]]).optional());
    case 'string':
      return z.preprocess(
        (v) => (typeof v === 'number' ? String(v) : blank(v)),
        z.string().optional(),
      );
  }
}

/** The universal flags' schema, generated from the flag table. */
export const syncOptionsSchema = z.object(
  Object.fromEntries(SYNC_FLAGS.map((f) => [f.key, shapeSchema(f)])) as Record<
    SyncFlagKey,
    z.ZodType
  >,
);

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
    if (value !== undefined && REMOVED_FLAGS[kebab(key)]) throw removedFlagError(key);
    const name = camel(key);
    if (SYNC_FLAGS.some((f) => f.key === name) && input[name] === undefined) input[name] = value;
  }
  for (const flag of SYNC_FLAGS) {
    const parsed = shapeSchema(flag).safeParse(input[flag.key]);
    if (!parsed.success) throw new InputError(flag.cli, expectedText(flag), shown(input[flag.key]));
    input[flag.key] = parsed.data;
  }
  const o = input as { [K in SyncFlagKey]?: unknown };
  const conflict = flagConflict({
    ...(o as Record<SyncFlagKey, boolean | number | undefined>),
    startDate: o.startDate instanceof Date ? day10(o.startDate) : undefined,
    endDate: o.endDate instanceof Date ? day10(o.endDate) : undefined,
  });
  if (conflict) throw new InputError(conflict.flag, conflict.expected, conflict.got);
  // Booleans only when on, so a run's recorded configuration lists what was asked for.
  const options: Record<string, unknown> = {};
  for (const flag of SYNC_FLAGS) {
    const value = o[flag.key];
    if (value === undefined || value === false) continue;
    options[flag.key] = value;
  }
  return options as SyncOptions;
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
    const parsed = shapeSchema(spec).safeParse(value);
    if (!parsed.success) throw new InputError(name, expectedText(spec), shown(value));
    if (parsed.data !== undefined) out[name] = parsed.data;
    else if (spec.default !== undefined) out[name] = spec.default;
  }
  return out;
}
