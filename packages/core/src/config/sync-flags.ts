// The universal sync flags, declared once. Imports nothing, so the dashboard bundles it as is
// (`@crmsync/core/sync-flags`); the zod schema, the CLI options and the GraphQL input are
// generated from it on the server side.

/** How a flag or a plugin option is typed; plugin options (`PluginOptionSpec`) share it. */
export interface OptionShape {
  type: 'boolean' | 'integer' | 'string' | 'enum' | 'day';
  min?: number;
  max?: number;
  choices?: readonly string[];
}

export interface SyncFlag extends OptionShape {
  /** The key in `SyncOptions`, the GraphQL input and the dashboard form. */
  key: SyncFlagKey;
  /** The CLI spelling, without `--`. */
  cli: string;
  /** Shown in `--help`, the GraphQL schema and the dashboard. */
  description: string;
  /** The dashboard's label. */
  label: string;
  /** How `--help` names the value (flags that take one). */
  valueName?: string;
  /** Offered by `crmsync schedule add` too (a schedule's runs use it). */
  scheduled: boolean;
}

export type SyncFlagKey =
  | 'full'
  | 'force'
  | 'startDate'
  | 'endDate'
  | 'dryRun'
  | 'batchSize'
  | 'maxRecords'
  | 'skipValidation'
  | 'strictValidation'
  | 'debug';

export const SYNC_FLAGS: readonly SyncFlag[] = [
  {
    key: 'full',
    cli: 'full',
    type: 'boolean',
    label: 'Full sync',
    description: 'read everything; keep local rows whose remote timestamp is newer',
    scheduled: true,
  },
  {
    key: 'force',
    cli: 'force',
    type: 'boolean',
    label: 'Force',
    description: 'read everything and overwrite',
    scheduled: true,
  },
  {
    key: 'startDate',
    cli: 'start-date',
    type: 'day',
    label: 'Start date',
    valueName: 'YYYY-MM-DD',
    description: 'read changes from this day on (manual window)',
    scheduled: true,
  },
  {
    key: 'endDate',
    cli: 'end-date',
    type: 'day',
    label: 'End date',
    valueName: 'YYYY-MM-DD',
    description: 'read changes up to and including this day',
    scheduled: true,
  },
  {
    key: 'dryRun',
    cli: 'dry-run',
    type: 'boolean',
    label: 'Dry run',
    description: 'run everything but write no record',
    scheduled: true,
  },
  {
    key: 'batchSize',
    cli: 'batch-size',
    type: 'integer',
    min: 1,
    max: 10_000,
    label: 'Batch size',
    valueName: 'n',
    description: 'page size asked of the CRM (1-10000)',
    scheduled: true,
  },
  {
    key: 'maxRecords',
    cli: 'max-records',
    type: 'integer',
    min: 1,
    label: 'Max records',
    valueName: 'n',
    description: 'stop cleanly after n records',
    scheduled: true,
  },
  {
    key: 'skipValidation',
    cli: 'skip-validation',
    type: 'boolean',
    label: 'Skip validation',
    description: 'do not validate records',
    scheduled: true,
  },
  {
    key: 'strictValidation',
    cli: 'strict-validation',
    type: 'boolean',
    label: 'Strict validation',
    description: 'a record with an invalid field fails (default: warn and keep it)',
    scheduled: true,
  },
  {
    key: 'debug',
    cli: 'debug',
    type: 'boolean',
    label: 'Debug logging',
    description: 'verbose logs',
    scheduled: false,
  },
];

/** Flags the old system had, by CLI spelling, and the flag that replaced each. */
export const REMOVED_FLAGS: Readonly<Record<string, string>> = {
  since: 'start-date',
  test: 'dry-run',
  verbose: 'debug',
  'force-overwrite': 'force',
};

/** Boolean flags that cannot be given together, as the message names them, and the one refused. */
export const EXCLUSIVE_FLAGS: ReadonlyArray<
  readonly [first: SyncFlagKey, second: SyncFlagKey, refused: SyncFlagKey]
> = [
  ['force', 'full', 'force'],
  ['skipValidation', 'strictValidation', 'strictValidation'],
];

export const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flag by key or CLI spelling (`start-date`, `--start-date`, `startDate`). */
export function syncFlag(name: string): SyncFlag | undefined {
  const key = camel(name.replace(/^--/, ''));
  return SYNC_FLAGS.find((f) => f.key === key);
}

/** `--since was removed: use --start-date instead`, or null for a flag that was not removed. */
export function removedFlagMessage(flag: string): string | null {
  const name = kebab(flag.replace(/^--/, ''));
  const replacement = REMOVED_FLAGS[name];
  return replacement ? `--${name} was removed: use --${replacement} instead` : null;
}

/** What a value of this shape must be, as every error message says it. */
export function expectedText(shape: OptionShape): string {
  switch (shape.type) {
    case 'boolean':
      return 'true or false';
    case 'day':
      return 'a date as YYYY-MM-DD, e.g. 2025-01-31';
    case 'enum':
      return `one of ${(shape.choices ?? []).join(', ')}`;
    case 'string':
      return 'text';
    case 'integer': {
      const { min, max } = shape;
      if (min !== undefined && max !== undefined) return `a whole number from ${min} to ${max}`;
      if (min !== undefined) return `a whole number of at least ${min}`;
      if (max !== undefined) return `a whole number of at most ${max}`;
      return 'a whole number';
    }
  }
}

/** A real calendar day as YYYY-MM-DD (`2025-02-30` is not one), as a UTC midnight. */
export function parseDay(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const date = new Date(`${text}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? null : date;
}

/** Whether a form's text (or a checkbox) is a valid value of this shape; '' is "not given". */
export function acceptsText(shape: OptionShape, value: string | boolean): boolean {
  if (typeof value === 'boolean' || value === '') return true;
  switch (shape.type) {
    case 'boolean':
      return value === 'true' || value === 'false';
    case 'day':
      return parseDay(value) !== null;
    case 'enum':
      return (shape.choices ?? []).includes(value);
    case 'string':
      return true;
    case 'integer': {
      if (!/^\s*-?\d+\s*$/.test(value)) return false;
      const n = Number(value);
      return (
        (shape.min === undefined || n >= shape.min) && (shape.max === undefined || n <= shape.max)
      );
    }
  }
}

export interface FlagConflict {
  /** The flag refused, as the CLI spells it. */
  flag: string;
  expected: string;
  /** The refused value, when it says something (a date). */
  got?: string;
}

/**
 * The rules between flags: exclusive pairs, and an end date on or after the start date.
 * Dates as YYYY-MM-DD text, so the dashboard's form and the server share the rule.
 */
export function flagConflict(
  values: {
    [K in SyncFlagKey]?: boolean | string | number | undefined;
  },
): FlagConflict | null {
  const cli = (key: SyncFlagKey) => syncFlag(key)?.cli ?? key;
  for (const [a, b, refused] of EXCLUSIVE_FLAGS) {
    if (values[a] === true && values[b] === true)
      return { flag: cli(refused), expected: `either --${cli(a)} or --${cli(b)}, not both` };
  }
  const { startDate, endDate } = values;
  if (typeof startDate === 'string' && typeof endDate === 'string' && endDate < startDate)
    return {
      flag: 'end-date',
      expected: `a date on or after --start-date ${startDate}`,
      got: endDate,
    };
  return null;
}
