import {
  acceptsText,
  expectedText,
  flagConflict,
  SYNC_FLAGS,
  type SyncFlag,
  type SyncFlagKey,
} from '@crmsync/core/sync-flags';
import type { PluginOption } from './types';

// The launcher's form and its checks come from core's flag table, the one the server parses
// with: same flags, same limits, same words ("expected a whole number from 1 to 10000").

/** The flags the form shows: checkboxes, then the fields that take a value. */
export const CHECKBOX_FLAGS: readonly SyncFlag[] = SYNC_FLAGS.filter((f) => f.type === 'boolean');
export const VALUE_FLAGS: readonly SyncFlag[] = SYNC_FLAGS.filter((f) => f.type !== 'boolean');

/** Universal flags as the sync launcher edits them (checkboxes, or text straight from inputs). */
export interface SyncForm {
  entity: string;
  flags: Record<SyncFlagKey, string | boolean>;
  pluginOptions: Record<string, string | boolean>;
}

export function emptySyncForm(entity: string, options: PluginOption[]): SyncForm {
  return {
    entity,
    flags: Object.fromEntries(
      SYNC_FLAGS.map((f) => [f.key, f.type === 'boolean' ? false : '']),
    ) as Record<SyncFlagKey, string | boolean>,
    pluginOptions: Object.fromEntries(
      options.map((o) => [
        o.name,
        o.type === 'boolean' ? o.default === true : o.default == null ? '' : String(o.default),
      ]),
    ),
  };
}

const OPTION_TYPES = ['boolean', 'integer', 'string', 'enum'] as const;

/** The option's shape for the flag table's checks; the schema types `type` as a plain string. */
const shapeOf = (o: PluginOption) => ({
  type: OPTION_TYPES.find((t) => t === o.type) ?? 'string',
  ...(o.min !== null && { min: o.min }),
  ...(o.max !== null && { max: o.max }),
  ...(o.choices && { choices: o.choices }),
});

/** The same checks the server makes, in its words, so most mistakes are caught before sending. */
export function validateSyncForm(form: SyncForm, options: PluginOption[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const flag of SYNC_FLAGS) {
    if (!acceptsText(flag, form.flags[flag.key]))
      errors[flag.key] = `expected ${expectedText(flag)}`;
  }
  if (Object.keys(errors).length === 0) {
    const conflict = flagConflict(form.flags);
    if (conflict) {
      const key = SYNC_FLAGS.find((f) => f.cli === conflict.flag)?.key ?? 'form';
      errors[key] = `expected ${conflict.expected}`;
    }
  }
  for (const o of options) {
    const value = form.pluginOptions[o.name];
    if (value !== undefined && !acceptsText(shapeOf(o), value))
      errors[`option:${o.name}`] = `expected ${expectedText(shapeOf(o))}`;
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
  for (const flag of SYNC_FLAGS) {
    const v = form.flags[flag.key];
    if (v === '' || v === false) continue;
    input[flag.key] = flag.type === 'integer' && typeof v === 'string' ? Number(v) : v;
  }
  if (Object.keys(pluginOptions).length > 0) input.pluginOptions = pluginOptions;
  return input;
}

const norm = (s: string) => s.replace(/[^a-z0-9]/gi, '').toLowerCase();

/**
 * Maps a server FieldError's field (`start-date`, `startDate`, `pluginOptions.latency-ms`, …)
 * to the form key that shows it.
 */
export function formKeyForServerField(field: string, options: PluginOption[]): string {
  const bare = field.replace(/^(input\.|pluginOptions\.|options\.)/, '');
  if (norm(bare) === 'entity') return 'entity';
  const flag = SYNC_FLAGS.find((f) => norm(f.key) === norm(bare));
  if (flag) return flag.key;
  const option = options.find((o) => norm(o.name) === norm(bare));
  if (option) return `option:${option.name}`;
  return 'form';
}
