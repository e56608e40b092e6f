import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CrmPlugin, CrmsyncError, checkPluginCompatibility } from '@crmsync/core';
import { findWorkspace, workspacePackageDirs } from './workspace.js';

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
  private?: boolean;
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

/** Whether a package's name says it holds the plugin `crm`: `@x/plugin-crm`, `crmsync-plugin-crm`. */
function namedFor(packageName: string, crm: string): boolean {
  const bare = packageName.slice(packageName.lastIndexOf('/') + 1);
  return bare === `plugin-${crm}` || bare === `crmsync-plugin-${crm}`;
}

async function pluginFrom(specifier: string): Promise<unknown> {
  const mod = (await import(specifier)) as Record<string, unknown>;
  if (mod.default && typeof mod.default === 'object') return mod.default;
  return Object.values(mod).find(
    (v) => v && typeof v === 'object' && 'contractVersion' in (v as object),
  );
}

async function readManifest(dir: string): Promise<PackageJson | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return null;
  }
}

/** A path in a config's `load`: a module file, or a package folder whose `crmsync` key names it. */
async function loadSpecifier(spec: string, cwd: string): Promise<string> {
  if (!spec.startsWith('.') && !spec.startsWith('/')) return spec;
  const path = resolve(cwd, spec);
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return pathToFileURL(path).href;
  const entry = (await readManifest(path))?.crmsync?.plugin;
  return pathToFileURL(entry ? join(path, entry) : path).href;
}

/**
 * Finds installed plugins: packages whose package.json has a `crmsync` key, among the packages
 * of the workspace around `cwd` (pnpm-workspace.yaml or package.json `workspaces` globs), in
 * the node_modules folders above `cwd` (scoped `@scope/` folders and pnpm's symlinks included)
 * and above crmsync itself, the project's `file:`/`link:` dependencies, plus the modules and
 * package folders a config file names. A workspace plugin that is not built yet is reported
 * with the command that builds it (a private one, such as an example, is skipped quietly). A
 * plugin built for another core contract is reported, not loaded; two packages declaring the
 * same plugin name load once (the first found: the workspace's, then the project's own).
 */
export async function discoverPlugins(options: {
  cwd: string;
  load?: string[];
  disable?: string[];
  /**
   * The one plugin the caller needs (a sync of one CRM): the packages named for it
   * (`plugin-<name>`, `crmsync-plugin-<name>`) are imported first and, once it is found, no
   * other plugin's code is loaded. When none is named for it, the others are loaded in
   * discovery order until it is found.
   */
  only?: string;
}): Promise<{ plugins: DiscoveredPlugin[]; problems: DiscoveryProblem[] }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const roots = [...nodeModulesUp(options.cwd), ...nodeModulesUp(here)];
  const seenDirs = new Set<string>();
  const found: Array<{ source: string; specifier: string }> = [];
  const problems: DiscoveryProblem[] = [];
  const workspace = findWorkspace(options.cwd);
  const workspaceDirs = new Set(workspace ? workspacePackageDirs(workspace) : []);
  const dirs = [...workspaceDirs, ...(await linkedDependencyDirs(options.cwd))];
  for (const root of roots) dirs.push(...(await packageDirs(root)));
  for (const dir of dirs) {
    const real = await realpath(dir).catch(() => dir);
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    const manifest = await readManifest(real);
    if (!manifest?.crmsync?.plugin) continue;
    const source = manifest.name ?? real;
    const entry = join(real, manifest.crmsync.plugin);
    if (workspace && workspaceDirs.has(dir) && !existsSync(entry)) {
      if (!manifest.private)
        problems.push({
          source,
          message: `${source} (${relative(workspace.root, real)}) is a plugin of this workspace that is not built yet: ${manifest.crmsync.plugin} is missing; run pnpm --filter ${source} build`,
        });
      continue;
    }
    found.push({ source, specifier: pathToFileURL(entry).href });
  }
  for (const spec of options.load ?? [])
    found.push({ source: spec, specifier: await loadSpecifier(spec, options.cwd) });
  const only = options.only;
  if (only) {
    const mine = found.filter((f) => namedFor(f.source, only));
    found.splice(0, found.length, ...mine, ...found.filter((f) => !mine.includes(f)));
  }
  const disabled = new Set(options.disable ?? []);
  const plugins: DiscoveredPlugin[] = [];
  const names = new Set<string>();
  for (const { source, specifier } of found) {
    if (only && names.has(only)) break;
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
