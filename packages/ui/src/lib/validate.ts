import type { PluginOption } from './types';

/** Universal flags as the sync launcher edits them (strings straight from the inputs). */
export interface SyncForm {
  entity: string;
  full: boolean;
  force: boolean;
  dryRun: boolean;
  skipValidation: boolean;
  strictValidation: boolean;
  debug: boolean;
  startDate: string;
  endDate: string;
  batchSize: string;
  maxRecords: string;
  pluginOptions: Record<string, string | boolean>;
}

export function emptySyncForm(entity: string, options: PluginOption[]): SyncForm {
  return {
    entity,
    full: false,
    force: false,
    dryRun: false,
    skipValidation: false,
    strictValidation: false,
    debug: false,
    startDate: '',
    endDate: '',
    batchSize: '',
    maxRecords: '',
    pluginOptions: Object.fromEntries(
      options.map((o) => [
        o.name,
        o.type === 'boolean' ? o.default === true : o.default == null ? '' : String(o.default),
      ]),
    ),
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The same checks the server makes, so most mistakes are caught before sending. */
export function validateSyncForm(form: SyncForm, options: PluginOption[]): Record<string, string> {
  const errors: Record<string, string> = {};
  if (form.startDate && !isRealDate(form.startDate))
    errors.startDate = 'expected a date as YYYY-MM-DD';
  if (form.endDate && !isRealDate(form.endDate)) errors.endDate = 'expected a date as YYYY-MM-DD';
  if (
    !errors.startDate &&
    !errors.endDate &&
    form.startDate &&
    form.endDate &&
    form.endDate < form.startDate
  )
    errors.endDate = 'expected a date on or after the start date';
  if (
    form.batchSize &&
    !(/^\d+$/.test(form.batchSize) && +form.batchSize >= 1 && +form.batchSize <= 10_000)
  )
    errors.batchSize = 'expected a whole number from 1 to 10000';
  if (form.maxRecords && !(/^\d+$/.test(form.maxRecords) && +form.maxRecords >= 1))
    errors.maxRecords = 'expected a whole number of at least 1';
  if (form.force && form.full) errors.force = 'choose either force or full, not both';
  for (const o of options) {
    const v = form.pluginOptions[o.name];
    if (o.type === 'integer' && typeof v === 'string' && v !== '') {
      if (!/^-?\d+$/.test(v)) errors[`option:${o.name}`] = 'expected a whole number';
      else if (o.min !== null && +v < o.min)
        errors[`option:${o.name}`] = `expected at least ${o.min}`;
      else if (o.max !== null && +v > o.max)
        errors[`option:${o.name}`] = `expected at most ${o.max}`;
    }
    if (
      o.type === 'enum' &&
      typeof v === 'string' &&
      v !== '' &&
      o.choices &&
      !o.choices.includes(v)
    )
      errors[`option:${o.name}`] = `expected one of ${o.choices.join(', ')}`;
  }
  return errors;
}

/** The StartSyncInput for a valid form. */
export function toStartSyncInput(
  crm: string,
  form: SyncForm,
  options: PluginOption[],
): Record<string, unknown> {
  const pluginOptions: Record<string, unknown> = {};
  for (const o of options) {
    const v = form.pluginOptions[o.name];
    if (v === '' || v === undefined) continue;
    pluginOptions[o.name] = o.type === 'integer' && typeof v === 'string' ? Number(v) : v;
  }
  const input: Record<string, unknown> = { crm, entity: form.entity };
  for (const flag of [
    'full',
    'force',
    'dryRun',
    'skipValidation',
    'strictValidation',
    'debug',
  ] as const) {
    if (form[flag]) input[flag] = true;
  }
  if (form.startDate) input.startDate = form.startDate;
  if (form.endDate) input.endDate = form.endDate;
  if (form.batchSize) input.batchSize = Number(form.batchSize);
  if (form.maxRecords) input.maxRecords = Number(form.maxRecords);
  if (Object.keys(pluginOptions).length > 0) input.pluginOptions = pluginOptions;
  return input;
}

const norm = (s: string) => s.replace(/[^a-z0-9]/gi, '').toLowerCase();

/**
 * Maps a server FieldError's field (`start-date`, `startDate`, `pluginOptions.latency-ms`, …)
 * to the form key that shows it.
 */
export function formKeyForServerField(field: string, options: PluginOption[]): string {
  const flags = [
    'entity',
    'full',
    'force',
    'dryRun',
    'skipValidation',
    'strictValidation',
    'debug',
    'startDate',
    'endDate',
    'batchSize',
    'maxRecords',
  ];
  const bare = field.replace(/^(input\.|pluginOptions\.|options\.)/, '');
  const flag = flags.find((f) => norm(f) === norm(bare));
  if (flag) return flag;
  const option = options.find((o) => norm(o.name) === norm(bare));
  if (option) return `option:${option.name}`;
  return 'form';
}
