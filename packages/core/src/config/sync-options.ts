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

export function removedFlagMessage(flag: string): string | null {
  const name = flag.replace(/^--/, '');
  const replacement = REMOVED_FLAGS[name];
  return replacement ? `--${name} was removed: use --${replacement} instead` : null;
}

function parseDay(field: string, value: unknown): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  const text = String(value);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = match ? new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!)) : null;
  if (!date || date.toISOString().slice(0, 10) !== text) {
    throw new InputError(field, 'a date as YYYY-MM-DD, e.g. 2025-01-31', value);
  }
  return date;
}

function parseInteger(field: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n =
    typeof value === 'number'
      ? value
      : /^-?\d+$/.test(String(value).trim())
        ? Number(String(value).trim())
        : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError(
      field,
      max === Number.MAX_SAFE_INTEGER
        ? `a whole number of at least ${min}`
        : `a whole number from ${min} to ${max}`,
      value,
    );
  }
  return n;
}

function parseFlag(field: string, value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (value === true || value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(field, 'true or false', value);
}

/**
 * The universal flags from raw input (CLI flags, GraphQL input, a schedule's options), in
 * camelCase or kebab-case. Errors name the flag as the CLI spells it.
 */
export function parseSyncOptions(raw: Record<string, unknown>): SyncOptions {
  const get = (camel: string, kebab: string) =>
    raw[camel] !== undefined ? raw[camel] : raw[kebab];
  for (const key of Object.keys(raw)) {
    const message = removedFlagMessage(key);
    if (message) throw new InputError(key, `--${REMOVED_FLAGS[key]} (${message})`, raw[key]);
  }
  const options: SyncOptions = {};
  const full = parseFlag('full', raw.full);
  const force = parseFlag('force', raw.force);
  if (full && force) throw new InputError('force', 'either --force or --full, not both');
  if (full) options.full = true;
  if (force) options.force = true;
  const startDate = parseDay('start-date', get('startDate', 'start-date'));
  const endDate = parseDay('end-date', get('endDate', 'end-date'));
  if (startDate && endDate && endDate < startDate)
    throw new InputError(
      'end-date',
      `a date on or after --start-date ${startDate.toISOString().slice(0, 10)}`,
      endDate.toISOString().slice(0, 10),
    );
  if (startDate) options.startDate = startDate;
  if (endDate) options.endDate = endDate;
  const batchSize = parseInteger('batch-size', get('batchSize', 'batch-size'), 1, 10_000);
  if (batchSize !== undefined) options.batchSize = batchSize;
  const maxRecords = parseInteger(
    'max-records',
    get('maxRecords', 'max-records'),
    1,
    Number.MAX_SAFE_INTEGER,
  );
  if (maxRecords !== undefined) options.maxRecords = maxRecords;
  if (parseFlag('dry-run', get('dryRun', 'dry-run'))) options.dryRun = true;
  const skip = parseFlag('skip-validation', get('skipValidation', 'skip-validation'));
  const strict = parseFlag('strict-validation', get('strictValidation', 'strict-validation'));
  if (skip && strict)
    throw new InputError(
      'strict-validation',
      'either --skip-validation or --strict-validation, not both',
    );
  if (skip) options.skipValidation = true;
  if (strict) options.strictValidation = true;
  if (parseFlag('debug', raw.debug)) options.debug = true;
  return options;
}

function parseOption(name: string, spec: PluginOptionSpec, value: unknown): unknown {
  switch (spec.type) {
    case 'boolean':
      return parseFlag(name, value);
    case 'integer':
      return parseInteger(
        name,
        value,
        spec.min ?? Number.MIN_SAFE_INTEGER,
        spec.max ?? Number.MAX_SAFE_INTEGER,
      );
    case 'enum': {
      const text = String(value);
      if (!spec.choices?.includes(text))
        throw new InputError(name, `one of ${spec.choices?.join(', ')}`, value);
      return text;
    }
    default:
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new InputError(name, 'text', value);
      return String(value);
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A plugin's own options, typed by its spec, with defaults applied. Unknown options are refused. */
export function parsePluginOptions(
  plugin: Pick<CrmPlugin, 'name' | 'options'>,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const specs = plugin.options ?? {};
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (raw[key] === undefined) continue;
    if (!(key in specs) && !(kebab(key) in specs)) {
      const known = Object.keys(specs);
      throw new InputError(
        key,
        known.length
          ? `one of ${plugin.name}'s options: ${known.join(', ')}`
          : `no option (${plugin.name} has none)`,
      );
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = raw[name] !== undefined ? raw[name] : raw[camel];
    if (value === undefined || value === null || value === '') {
      if (spec.default !== undefined) out[name] = spec.default;
      continue;
    }
    out[name] = parseOption(name, spec, value);
  }
  return out;
}
