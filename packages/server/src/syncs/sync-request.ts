import {
  type CrmPlugin,
  type EntityDefinition,
  InputError,
  type PluginConfigValues,
  parsePluginOptions,
  parseSyncOptions,
  type ResolvedPluginConfig,
  describeMissingConfig,
  type SyncOptions,
} from '@crmsync/core';

/** An installed plugin with its resolved configuration (secrets included: keep it server-side). */
export interface InstalledPlugin {
  plugin: CrmPlugin;
  source: string;
  config: PluginConfigValues;
  resolved: ResolvedPluginConfig;
  configured: boolean;
  entities: EntityDefinition[];
  /** Default plugin options from the config file. */
  defaultOptions: Record<string, unknown>;
}

/** A sync as an edge receives it: CLI flags, a GraphQL input, a schedule's stored options. */
export interface SyncInput {
  crm: string;
  /** An entity name, or `all`. */
  entity: string;
  /** Universal flags, camelCase or kebab-case, raw (strings, booleans, numbers, null). */
  flags?: Record<string, unknown>;
  /** The plugin's own options by name; must be an object when given. */
  pluginOptions?: unknown;
}

/** A sync every check has passed: the plugin is installed and configured, the options typed. */
export interface SyncRequest {
  readonly crm: string;
  /** An entity name, or `all`. */
  readonly entity: string;
  /** The entities the sync will run: one, or every entity of the CRM for `all`. */
  readonly entities: readonly string[];
  readonly options: SyncOptions;
  readonly installed: InstalledPlugin;
}

/** `acme is not configured: set ACME_TOKEN`, refused like any other bad input (field `crm`). */
export class NotConfiguredError extends InputError {
  constructor(installed: InstalledPlugin) {
    super('crm', 'a configured CRM', installed.plugin.name);
    this.name = 'NotConfiguredError';
    this.message = describeMissingConfig(installed.plugin.name, installed.resolved);
  }
}

/** The installed plugin by name; an InputError listing the installed ones otherwise. */
export function findInstalled(plugins: readonly InstalledPlugin[], crm: string): InstalledPlugin {
  const found = plugins.find((p) => p.plugin.name === crm);
  if (found) return found;
  const valid = plugins.map((p) => p.plugin.name).join(', ') || '(none installed)';
  throw new InputError('crm', `one of the installed CRMs: ${valid}`, crm);
}

/** The entities `entity` names for this install: itself, or all of them for `all`. */
export function targetEntities(installed: InstalledPlugin, entity: string): string[] {
  const names = installed.entities.map((e) => e.name);
  if (entity === 'all') return names;
  if (names.includes(entity)) return [entity];
  throw new InputError(
    'entity',
    `all, or one of ${installed.plugin.name}'s entities: ${names.join(', ')}`,
    entity,
  );
}

export interface ParseChecks {
  /**
   * Refuse a CRM whose credentials are not set (default true). A schedule may be added before
   * they are; its runs are refused (and the schedule paused) until they are.
   */
  configured?: boolean;
}

/**
 * Every check a sync start makes, once, with one wording for every edge: the CRM is installed
 * and configured, the entity is one of its own (or `all`), the universal flags and the
 * plugin's options (config-file defaults under them) parse.
 */
export function parseSyncRequest(
  plugins: readonly InstalledPlugin[],
  input: SyncInput,
  checks: ParseChecks = {},
): SyncRequest {
  const installed = findInstalled(plugins, input.crm);
  const entities = targetEntities(installed, input.entity);
  if (!installed.configured && checks.configured !== false) throw new NotConfiguredError(installed);
  const raw = input.pluginOptions ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError('pluginOptions', "a JSON object of the plugin's options", raw);
  const options: SyncOptions = {
    ...parseSyncOptions(input.flags ?? {}),
    pluginOptions: parsePluginOptions(installed.plugin, {
      ...installed.defaultOptions,
      ...(raw as Record<string, unknown>),
    }),
  };
  return { crm: input.crm, entity: input.entity, entities, options, installed };
}
