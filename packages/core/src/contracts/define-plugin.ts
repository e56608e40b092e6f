import { CrmsyncError } from './errors.js';
import type { Logger } from './logger.js';
import {
  type ConfigFieldSpec,
  type ConfigSpec,
  CORE_CONTRACT_VERSION,
  type CrmPlugin,
  type EntityDefinition,
  type HealthResult,
  type PluginConfigValues,
} from './plugin.js';

/**
 * A setting's type: `string`, `url` (http(s) or database URL, trailing slash dropped),
 * `integer`, `boolean` (`true/false/1/0/yes/no/on/off`), `json` (parsed), `secret` (a string
 * never printed, logged or returned by the API).
 */
export type ConfigFieldType = 'string' | 'url' | 'integer' | 'boolean' | 'json' | 'secret';

/** A setting as a plugin declares it: its key is its env var unless `env` says otherwise. */
export interface ConfigFieldInput {
  description: string;
  /** Default: `string`. */
  type?: ConfigFieldType;
  /** The env var, when it differs from the key. */
  env?: string;
  secret?: boolean;
  required?: boolean;
  default?: string | number | boolean;
  /** Alternative credentials share a group: one whole group must be set (see `ConfigFieldSpec`). */
  group?: string;
}

export type ConfigInput = Record<string, ConfigFieldInput>;

type ValueOf<F> = F extends { type: 'integer' }
  ? number
  : F extends { type: 'boolean' }
    ? boolean
    : F extends { type: 'json' }
      ? unknown
      : string;
/** Set on every run: required outside a group, or defaulted. */
type Always<F> = F extends { default: string | number | boolean }
  ? true
  : F extends { group: string }
    ? false
    : F extends { required: true }
      ? true
      : false;

/** The parsed values a config spec yields: required and defaulted keys present, others optional. */
export type ConfigValues<S extends ConfigInput> = {
  [K in keyof S as Always<S[K]> extends true ? K : never]: ValueOf<S[K]>;
} & {
  [K in keyof S as Always<S[K]> extends true ? never : K]?: ValueOf<S[K]> | undefined;
};

/**
 * A plugin as its author writes it. Everything the engine can do for it is optional:
 * `contractVersion` (default: this core's), `health` (default: read one record of
 * `healthEntity`, else of the first entity), `closeClient` (default: nothing to release).
 */
export interface CrmPluginDefinition<S extends ConfigInput, Client>
  extends Omit<
    CrmPlugin<Client, ConfigValues<S>>,
    'contractVersion' | 'config' | 'health' | 'entities'
  > {
  contractVersion?: number;
  config: S;
  /** The client type comes from `createClient`; entities only have to accept it. */
  // biome-ignore lint/suspicious/noExplicitAny: entities differ in their raw record and checkpoint types
  entities: EntityDefinition<NoInfer<Client>, any, any>[];
  /** A cheap entity (few records, no heavy filter) the default health probe reads one record of. */
  healthEntity?: string;
  health?(client: Client, signal: AbortSignal): Promise<HealthResult>;
}

/**
 * Declares a plugin. The config spec's types flow into `createClient` (the way Pothos carries
 * `SchemaTypes`): `config.PIPEDRIVE_API_TOKEN` is a `string` when required, `number` for an
 * `integer`, `T | undefined` when optional — already parsed, never re-parsed by the plugin.
 * A plugin object written to the older shape (explicit `CrmPlugin<Client, Cfg>`) still passes.
 *
 * @example
 * export default defineCrmPlugin({
 *   name: 'acme', displayName: 'Acme CRM', kind: 'api',
 *   config: {
 *     ACME_API_TOKEN: { type: 'secret', required: true, description: 'API token' },
 *     ACME_BASE_URL: { type: 'url', default: 'https://api.acme.example', description: 'API base URL' },
 *   },
 *   entities: [leads],
 *   createClient: ({ config, metrics }) => new HttpClient({ crm: 'acme', baseUrl: config.ACME_BASE_URL, auth: bearerAuth(config.ACME_API_TOKEN), metrics }),
 * });
 */
export function defineCrmPlugin<Client, Cfg extends PluginConfigValues = PluginConfigValues>(
  plugin: CrmPlugin<Client, Cfg>,
): CrmPlugin<Client, Cfg>;
export function defineCrmPlugin<const S extends ConfigInput, Client>(
  definition: CrmPluginDefinition<S, Client>,
): CrmPlugin<Client>;
export function defineCrmPlugin<Client>(
  definition: CrmPluginDefinition<ConfigInput, Client>,
): CrmPlugin<Client, PluginConfigValues> {
  const { healthEntity, ...rest } = definition;
  const config: ConfigSpec = Object.fromEntries(
    Object.entries(definition.config).map(([key, field]) => [key, configField(key, field)]),
  );
  type Values = Parameters<typeof definition.createClient>[0]['config'];
  // What the types promise, whoever resolved the values (a host, a test): defaults filled in.
  const withDefaults = (given: PluginConfigValues): Values => {
    const values = { ...given };
    for (const [key, f] of Object.entries(config))
      if (unset(values[key]) && f.default !== undefined) values[key] = f.default;
    return values as Values;
  };
  const { configureEntities } = definition;
  const plugin: CrmPlugin<Client, PluginConfigValues> = {
    ...rest,
    contractVersion: definition.contractVersion ?? CORE_CONTRACT_VERSION,
    config,
    ...(configureEntities && {
      configureEntities: (values: PluginConfigValues) => configureEntities(withDefaults(values)),
    }),
    createClient(context) {
      const values = withDefaults(context.config);
      // …and every required setting outside a group is there.
      const missing = Object.entries(config)
        .filter(([key, f]) => f.required && !f.group && unset(values[key]))
        .map(([, f]) => f.env);
      if (missing.length > 0)
        throw new CrmsyncError(
          'config',
          `${definition.name} is not configured: set ${missing.join(', ')}`,
          { crm: definition.name },
        );
      return definition.createClient({ ...context, config: values });
    },
    health: definition.health ?? ((client, signal) => probe(plugin, client, signal, healthEntity)),
  };
  return plugin;
}

const unset = (value: unknown) => value === undefined || value === '';

function configField(key: string, field: ConfigFieldInput): ConfigFieldSpec {
  const { type, env, secret, ...rest } = field;
  return {
    ...rest,
    env: env ?? key,
    ...(type && type !== 'secret' && { type }),
    ...((secret || type === 'secret') && { secret: true }),
  };
}

const quiet: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => quiet,
};

/** The default health check: the first page of one record of a cheap entity, timed. */
async function probe<Client>(
  plugin: CrmPlugin<Client, PluginConfigValues>,
  client: Client,
  signal: AbortSignal,
  entityName: string | undefined,
): Promise<HealthResult> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  const entity = plugin.entities.find((e) => e.name === entityName) ?? plugin.entities[0];
  if (!entity) return { ok: false, latencyMs: 0, message: `${plugin.name} has no entity to read` };
  try {
    const request = { mode: 'full' as const, batchSize: 1, signal, options: {}, logger: quiet };
    const pages = entity.fetch(client, request)[Symbol.asyncIterator]();
    try {
      await pages.next();
    } finally {
      await pages.return?.();
    }
    return { ok: true, latencyMs: latencyMs() };
  } catch (error) {
    return { ok: false, latencyMs: latencyMs(), message: (error as Error).message };
  }
}
