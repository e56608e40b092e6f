import { existsSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CrmPlugin, CrmsyncError, checkPluginCompatibility } from '@crmsync/core';

export interface DiscoveredPlugin {
  plugin: CrmPlugin;
  /** Package name or module path it came from. */
  source: string;
}

export interface DiscoveryProblem {
  source: string;
  message: string;
}

interface PackageJson {
  name?: string;
  crmsync?: { plugin?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Folders of the project's dependencies that live outside node_modules (`file:` and `link:`
 * specs); registry and workspace dependencies are found in node_modules.
 */
async function linkedDependencyDirs(cwd: string): Promise<string[]> {
  let manifest: PackageJson;
  try {
    manifest = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return [];
  }
  const specs = Object.values({
    ...manifest.optionalDependencies,
    ...manifest.devDependencies,
    ...manifest.dependencies,
  });
  return specs
    .map((spec) => /^(?:file|link):(.+)$/.exec(spec)?.[1])
    .filter((p): p is string => p !== undefined && !p.endsWith('.tgz'))
    .map((p) => resolve(cwd, p))
    .filter((p) => existsSync(join(p, 'package.json')));
}

/** node_modules folders from `start` up to the root. */
function nodeModulesUp(start: string): string[] {
  const dirs: string[] = [];
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(candidate)) dirs.push(candidate);
    const parent = dirname(dir);
    if (parent === dir) return dirs;
    dir = parent;
  }
}

async function packageDirs(nodeModules: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(nodeModules, { withFileTypes: true }).catch(() => [])) {
    if (entry.name.startsWith('.')) continue;
    const path = join(nodeModules, entry.name);
    if (entry.name.startsWith('@')) {
      for (const inner of await readdir(path, { withFileTypes: true }).catch(() => []))
        out.push(join(path, inner.name));
    } else out.push(path);
  }
  return out;
}

async function pluginFrom(specifier: string): Promise<unknown> {
  const mod = (await import(specifier)) as Record<string, unknown>;
  if (mod.default && typeof mod.default === 'object') return mod.default;
  return Object.values(mod).find(
    (v) => v && typeof v === 'object' && 'contractVersion' in (v as object),
  );
}

/**
 * Finds installed plugins: packages whose package.json has a `crmsync` key, in the
 * node_modules folders above `cwd` (scoped `@scope/` folders and pnpm's symlinks included)
 * and above crmsync itself, the project's `file:`/`link:` dependencies, plus the modules a
 * config file names. A plugin built for another core contract is reported, not loaded; two
 * packages declaring the same plugin name load once (the first found: the project's own).
 */
export async function discoverPlugins(options: {
  cwd: string;
  load?: string[];
  disable?: string[];
}): Promise<{ plugins: DiscoveredPlugin[]; problems: DiscoveryProblem[] }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const roots = [...nodeModulesUp(options.cwd), ...nodeModulesUp(here)];
  const seenDirs = new Set<string>();
  const found: Array<{ source: string; specifier: string }> = [];
  const dirs = [...(await linkedDependencyDirs(options.cwd))];
  for (const root of roots) dirs.push(...(await packageDirs(root)));
  for (const dir of dirs) {
    const real = await realpath(dir).catch(() => dir);
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    const manifestPath = join(real, 'package.json');
    if (!existsSync(manifestPath)) continue;
    let manifest: PackageJson;
    try {
      manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as PackageJson;
    } catch {
      continue;
    }
    if (!manifest.crmsync?.plugin) continue;
    found.push({
      source: manifest.name ?? real,
      specifier: pathToFileURL(join(real, manifest.crmsync.plugin)).href,
    });
  }
  for (const spec of options.load ?? []) {
    const specifier =
      spec.startsWith('.') || spec.startsWith('/')
        ? pathToFileURL(resolve(options.cwd, spec)).href
        : spec;
    found.push({ source: spec, specifier });
  }
  const disabled = new Set(options.disable ?? []);
  const plugins: DiscoveredPlugin[] = [];
  const problems: DiscoveryProblem[] = [];
  const names = new Set<string>();
  for (const { source, specifier } of found) {
    try {
      const plugin = await pluginFrom(specifier);
      checkPluginCompatibility(plugin, source);
      if (disabled.has(plugin.name) || names.has(plugin.name)) continue;
      names.add(plugin.name);
      plugins.push({ plugin, source });
    } catch (error) {
      const message =
        error instanceof CrmsyncError
          ? error.message
          : `${source} could not be loaded: ${(error as Error).message}`;
      problems.push({ source, message });
    }
  }
  return { plugins: plugins.sort((a, b) => a.plugin.name.localeCompare(b.plugin.name)), problems };
}
