import { InputError, type PluginOptionsSpec, removedFlagError } from '@crmsync/core';
import { REMOVED_FLAGS } from '@crmsync/core/sync-flags';

/** `--name value`, `--name=value` and bare `--flag` after the entity: the plugin's own options. */
export function parsePluginArgs(
  args: string[],
  spec: PluginOptionsSpec,
  crm: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--'))
      throw new InputError('arguments', `sync <crm> <entity|all> [flags]; unexpected "${arg}"`);
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (REMOVED_FLAGS[rawName]) throw removedFlagError(rawName);
    const name =
      rawName.startsWith('no-') && spec[rawName.slice(3)]?.type === 'boolean'
        ? rawName.slice(3)
        : rawName;
    const option = spec[name];
    if (!option) {
      const known = Object.keys(spec).map((k) => `--${k}`);
      throw new InputError(
        `--${rawName}`,
        known.length
          ? `a universal flag or one of ${crm}'s options: ${known.join(', ')}`
          : `a universal flag (${crm} has no options of its own)`,
      );
    }
    if (option.type === 'boolean') {
      out[name] = inline !== undefined ? inline : !rawName.startsWith('no-');
      continue;
    }
    const value = inline ?? args[i + 1];
    if (inline === undefined) i++;
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new InputError(`--${name}`, `a value (${option.description})`);
    out[name] = value;
  }
  return out;
}
