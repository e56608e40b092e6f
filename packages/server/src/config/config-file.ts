import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CrmsyncError } from '@crmsync/core';
import { z } from 'zod';

const pluginEntry = z.object({
  /** Credentials and settings by config key (env vars still win). */
  config: z.record(z.string(), z.unknown()).optional(),
  /** Default plugin options for every run. */
  options: z.record(z.string(), z.unknown()).optional(),
  enabled: z.boolean().optional(),
});

const configSchema = z.object({
  /** `DATABASE_URL` wins over this. */
  database: z.string().optional(),
  /**
   * Either module specifiers or paths of plugins to load besides the discovered ones, or
   * settings by plugin name.
   */
  plugins: z.union([z.array(z.string()), z.record(z.string(), pluginEntry)]).optional(),
  /** Extra plugin modules (when `plugins` is the per-plugin settings object). */
  load: z.array(z.string()).optional(),
  /** Plugins not to load, by name. */
  disable: z.array(z.string()).optional(),
});

export type CrmsyncConfigFile = z.infer<typeof configSchema>;

export interface LoadedConfig {
  path: string | null;
  database?: string;
  /** Module specifiers to load, besides discovery. */
  load: string[];
  disable: string[];
  plugins: Record<string, z.infer<typeof pluginEntry>>;
}

export const CONFIG_FILES = [
  'crmsync.config.ts',
  'crmsync.config.mjs',
  'crmsync.config.js',
  'crmsync.config.json',
];

/** tsx's ESM API as the project resolves it, else as crmsync does; null when neither can. */
function resolveTsx(projectDir: string): string | null {
  for (const from of [join(projectDir, 'package.json'), import.meta.url]) {
    try {
      // require resolves the CommonJS build; its ESM sibling is the ESM API
      return createRequire(from)
        .resolve('tsx/esm/api')
        .replace(/index\.cjs$/, 'index.mjs');
    } catch {}
  }
  return null;
}

async function importConfig(path: string): Promise<unknown> {
  if (path.endsWith('.json')) return JSON.parse(await readFile(path, 'utf8'));
  if (path.endsWith('.ts')) {
    const api = resolveTsx(dirname(path));
    if (!api) {
      throw new CrmsyncError(
        'config',
        `${path}: a .ts config is loaded with the tsx package, which is not installed (npm install -D tsx); or use crmsync.config.js, .mjs or .json`,
      );
    }
    const tsx = (await import(pathToFileURL(api).href)) as {
      tsImport(specifier: string, parent: string): Promise<{ default?: unknown }>;
    };
    return (await tsx.tsImport(pathToFileURL(path).href, import.meta.url)).default;
  }
  return ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
}

/**
 * Reads `crmsync.config.{ts,mjs,js,json}` from `cwd` (or `explicit`), checked field by field:
 * a bad key says which and what was expected.
 */
export async function loadConfigFile(cwd: string, explicit?: string): Promise<LoadedConfig> {
  const path = explicit
    ? resolve(cwd, explicit)
    : CONFIG_FILES.map((f) => resolve(cwd, f)).find((p) => existsSync(p));
  if (!path) return { path: null, load: [], disable: [], plugins: {} };
  if (!existsSync(path)) throw new CrmsyncError('config', `config file ${path} does not exist`);
  let raw: unknown;
  try {
    raw = await importConfig(path);
  } catch (error) {
    if (error instanceof CrmsyncError) throw error;
    throw new CrmsyncError('config', `${path} could not be read: ${(error as Error).message}`);
  }
  // Checked against the shape the file chose for `plugins`, so an error names the bad field
  // rather than "invalid union".
  const shape = Array.isArray((raw as { plugins?: unknown } | null)?.plugins)
    ? configSchema.extend({ plugins: z.array(z.string()) })
    : configSchema.extend({ plugins: z.record(z.string(), pluginEntry).optional() });
  const parsed = shape.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CrmsyncError(
      'config',
      `${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      { field: issue?.path.join('.') },
    );
  }
  const file = parsed.data;
  const plugins = Array.isArray(file.plugins) ? {} : (file.plugins ?? {});
  return {
    path,
    ...(file.database && { database: file.database }),
    load: [...(Array.isArray(file.plugins) ? file.plugins : []), ...(file.load ?? [])],
    disable: [
      ...(file.disable ?? []),
      ...Object.entries(plugins)
        .filter(([, p]) => p.enabled === false)
        .map(([n]) => n),
    ],
    plugins,
  };
}
