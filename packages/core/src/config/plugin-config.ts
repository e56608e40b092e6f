import type { ConfigFieldSpec, CrmPlugin, PluginConfigValues } from '../contracts/plugin.js';

export interface ResolvedPluginConfig {
  values: PluginConfigValues;
  /** Every required field of at least one credential group is set and valid. */
  configured: boolean;
  /** Env var names of required settings that are not set (of the closest group). */
  missing: string[];
  /** Settings that are set but malformed: env var name and what was expected. Values are never included. */
  invalid: Array<{ env: string; expected: string }>;
}

function parse(spec: ConfigFieldSpec, raw: unknown): { value?: unknown; expected?: string } {
  const type = spec.type ?? 'string';
  if (typeof raw !== 'string') {
    if (type === 'integer' && typeof raw === 'number' && Number.isInteger(raw))
      return { value: raw };
    if (type === 'boolean' && typeof raw === 'boolean') return { value: raw };
    if (type === 'json' && raw !== null && typeof raw === 'object') return { value: raw };
    if (type === 'string' && (typeof raw === 'number' || typeof raw === 'boolean'))
      return { value: String(raw) };
    return { expected: `a ${type}` };
  }
  const text = raw.trim();
  switch (type) {
    case 'url':
      try {
        const u = new URL(text);
        return /^(https?|mysql|postgres(ql)?|file):$/.test(u.protocol)
          ? { value: text.replace(/\/+$/, '') }
          : { expected: 'an http(s) or database URL' };
      } catch {
        return { expected: 'a URL such as https://api.example.com' };
      }
    case 'integer':
      return /^-?\d+$/.test(text) ? { value: Number(text) } : { expected: 'a whole number' };
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(text)) return { value: true };
      if (/^(0|false|no|off)$/i.test(text)) return { value: false };
      return { expected: 'true or false' };
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { expected: 'valid JSON' };
      }
    default:
      return { value: raw };
  }
}

/**
 * Resolves a plugin's settings from the environment (which wins) and the config file's
 * `plugins.<name>.config`. Reports missing and malformed settings by env var name only:
 * no value, secret or not, appears in what it returns besides `values`.
 */
export function resolvePluginConfig(
  plugin: Pick<CrmPlugin, 'config'>,
  sources: { env?: Record<string, string | undefined>; file?: Record<string, unknown> } = {},
): ResolvedPluginConfig {
  const env = sources.env ?? {};
  const file = sources.file ?? {};
  const values: PluginConfigValues = {};
  const invalid: ResolvedPluginConfig['invalid'] = [];
  const isSet = new Set<string>();
  for (const [key, spec] of Object.entries(plugin.config)) {
    const fromEnv = env[spec.env];
    const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : file[key];
    if (raw === undefined || raw === null || raw === '') {
      if (spec.default !== undefined) {
        values[key] = spec.default;
        isSet.add(key);
      }
      continue;
    }
    const parsed = parse(spec, raw);
    if (parsed.expected) invalid.push({ env: spec.env, expected: parsed.expected });
    else {
      values[key] = parsed.value;
      isSet.add(key);
    }
  }
  const entries = Object.entries(plugin.config);
  const ungrouped = entries.filter(([, s]) => s.required && !s.group);
  const groups = new Map<string, Array<[string, ConfigFieldSpec]>>();
  for (const entry of entries) {
    if (entry[1].group && entry[1].required)
      groups.set(entry[1].group, [...(groups.get(entry[1].group) ?? []), entry]);
  }
  const missingOf = (list: Array<[string, ConfigFieldSpec]>) =>
    list.filter(([k]) => !isSet.has(k)).map(([, s]) => s.env);
  let missing = missingOf(ungrouped);
  if (groups.size > 0) {
    const options = [...groups.values()].map(missingOf);
    const best = options.reduce((a, b) => (b.length < a.length ? b : a));
    missing = [...missing, ...best];
  }
  return { values, configured: missing.length === 0 && invalid.length === 0, missing, invalid };
}

/** The configured secret values of a plugin, to redact from logs and responses. */
export function secretValues(
  plugin: Pick<CrmPlugin, 'config'>,
  values: PluginConfigValues,
): string[] {
  return Object.entries(plugin.config)
    .filter(([, spec]) => spec.secret)
    .map(([key]) => values[key])
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** The values with every secret replaced by `***`: safe to print or return. */
export function publicConfig(
  plugin: Pick<CrmPlugin, 'config'>,
  values: PluginConfigValues,
): PluginConfigValues {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, plugin.config[k]?.secret ? '***' : v]),
  );
}

/** A person-readable line: which env vars to set. */
export function describeMissingConfig(pluginName: string, resolved: ResolvedPluginConfig): string {
  const parts: string[] = [];
  if (resolved.missing.length) parts.push(`set ${resolved.missing.join(', ')}`);
  for (const bad of resolved.invalid)
    parts.push(`${bad.env} is malformed: expected ${bad.expected}`);
  return `${pluginName} is not configured: ${parts.join('; ')}`;
}
