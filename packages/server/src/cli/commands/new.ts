import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrmsyncError, InputError } from '@crmsync/core/errors';
import type { Command } from 'commander';
import {
  findWorkspace,
  type Workspace,
  workspaceIncludes,
  workspacePackageDirs,
} from '../../discovery/workspace.js';
import { type CliContext, globalOptions } from '../context.js';

/** Generated from examples/custom-plugin by scripts/build-template.mjs (src/ and dist/ alike). */
const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/plugin/', import.meta.url));
const SERVER_VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
/** What a plugin outside the crmsync repository needs to build and run its kit test. */
const STANDALONE_DEV_DEPENDENCIES = {
  '@types/node': '^20.19.0',
  typescript: '~5.9.3',
  vitest: '~4.1.12',
};

export interface NewPluginOptions {
  /** The CRM's name, the plugin's `crm_source`: lowercase letters and digits. */
  name: string;
  cwd: string;
  /** Folder to create `plugin-<name>` in (default `./packages` at a workspace root, else cwd). */
  dir?: string;
  /** npm scope of the package (default `crmsync`: `@crmsync/plugin-<name>`). */
  scope?: string;
  displayName?: string;
}

export interface NewPlugin {
  dir: string;
  packageName: string;
  /** The workspace around the new package, when its globs include it (discovery finds it). */
  workspace: Workspace | null;
  /** The workspace around the new package, when its globs leave it out. */
  outside: Workspace | null;
}

function parseOptions(options: NewPluginOptions) {
  if (!/^[a-z][a-z0-9]*$/.test(options.name))
    throw new InputError(
      'plugin name',
      'lowercase letters and digits, starting with a letter (it becomes the crm_source, e.g. pipedrive)',
      options.name,
    );
  const scope = (options.scope ?? 'crmsync').replace(/^@/, '');
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(scope))
    throw new InputError('--scope', 'an npm scope such as @acme (lowercase)', options.scope);
  const Name = options.name[0]?.toUpperCase() + options.name.slice(1);
  const displayName = options.displayName ?? Name;
  // It lands inside quoted strings of the generated source.
  if (!/^[^'"`\\\n]+$/.test(displayName))
    throw new InputError('--display-name', 'text without quotes or backslashes', displayName);
  return { name: options.name, Name, displayName, packageName: `@${scope}/plugin-${options.name}` };
}

function templateFiles(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? templateFiles(dir, join(rel, entry.name))
      : entry.name.endsWith('.tmpl')
        ? [join(rel, entry.name)]
        : [],
  );
}

function hasCrmsyncCore(workspace: Workspace): boolean {
  return workspacePackageDirs(workspace).some((dir) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === '@crmsync/core';
    } catch {
      return false;
    }
  });
}

/**
 * Creates `<dir>/plugin-<name>` from the template: the example plugin with its names replaced,
 * ready to pass the plugin kit. In the crmsync repository it depends on the workspace's core;
 * elsewhere on the published one, with what it needs to build and test on its own.
 */
export function createPluginPackage(options: NewPluginOptions): NewPlugin {
  const names = parseOptions(options);
  const cwd = resolve(options.cwd);
  const parent = options.dir
    ? resolve(cwd, options.dir)
    : existsSync(join(cwd, 'pnpm-workspace.yaml'))
      ? join(cwd, 'packages')
      : cwd;
  const target = join(parent, `plugin-${names.name}`);
  if (existsSync(target))
    throw new CrmsyncError(
      'config',
      `plugin name ${names.name}: ${relative(cwd, target) || target} already exists; choose another name or --dir`,
      { field: 'name' },
    );
  const enclosing = findWorkspace(parent);
  const inRepo = enclosing !== null && hasCrmsyncCore(enclosing);
  const values: Record<string, string> = {
    name: names.name,
    Name: names.Name,
    NAME: names.name.toUpperCase(),
    displayName: names.displayName,
    packageName: names.packageName,
  };
  const fill = (text: string) =>
    text.replace(/\{\{(\w+)\}\}/g, (m, key: string) => values[key] ?? m);
  // crmsync's own base config is the one the template is written for; another workspace's may
  // not suit it, so there the plugin carries its own copy.
  const baseConfig = enclosing && join(enclosing.root, 'tsconfig.base.json');
  const sharedBase = inRepo && baseConfig && existsSync(baseConfig) ? baseConfig : null;
  for (const file of templateFiles(TEMPLATE_DIR)) {
    const out = file.slice(0, -'.tmpl'.length);
    if (out === 'tsconfig.base.json' && sharedBase) continue;
    let text = fill(readFileSync(join(TEMPLATE_DIR, file), 'utf8'));
    if (out === 'package.json') text = packageJson(text, names.displayName, inRepo);
    if (out === 'tsconfig.json') {
      const tsconfig = JSON.parse(text) as Record<string, unknown>;
      tsconfig.extends = sharedBase ? relative(target, sharedBase) : './tsconfig.base.json';
      text = `${JSON.stringify(tsconfig, null, 2)}\n`;
    }
    mkdirSync(dirname(join(target, out)), { recursive: true });
    writeFileSync(join(target, out), text);
  }
  return {
    dir: target,
    packageName: names.packageName,
    workspace: enclosing && workspaceIncludes(enclosing, target) ? enclosing : null,
    outside: enclosing && !workspaceIncludes(enclosing, target) ? enclosing : null,
  };
}

function packageJson(text: string, displayName: string, inRepo: boolean): string {
  const manifest = JSON.parse(text) as Record<string, unknown> & {
    dependencies: Record<string, string>;
    scripts: Record<string, string>;
  };
  delete manifest.private;
  manifest.version = '0.1.0';
  manifest.description = `crmsync plugin for ${displayName}`;
  manifest.files = ['dist', 'README.md'];
  if (!inRepo) {
    manifest.dependencies['@crmsync/core'] = `^${SERVER_VERSION}`;
    manifest.scripts.test = 'vitest run';
    manifest.devDependencies = STANDALONE_DEV_DEPENDENCIES;
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function registerNew(program: Command, ctx: CliContext) {
  const create = program.command('new').description('create a new crmsync package');
  create
    .command('plugin <name>')
    .description(
      'create packages/plugin-<name> (at a pnpm workspace root; else ./plugin-<name>): a plugin with a client, an entity, a fake server and the plugin kit test, ready to adapt to your CRM',
    )
    .option('--dir <dir>', 'folder to create plugin-<name> in')
    .option('--scope <scope>', 'npm scope of the package', '@crmsync')
    .option('--display-name <text>', "the CRM's display name (default: the name, capitalised)")
    .action(
      (name: string, opts: { dir?: string; scope: string; displayName?: string }, command) => {
        const cwd = globalOptions(command).cwd ?? process.cwd();
        const made = createPluginPackage({ name, cwd, ...opts });
        const where = relative(cwd, made.dir) || '.';
        const path = where.startsWith('.') ? where : `./${where}`;
        const steps = made.workspace
          ? [
              'pnpm install',
              `pnpm vitest run ${where}   # the plugin kit against its fake server`,
              `pnpm --filter ${made.packageName} build`,
              `crmsync list   # ${name} is found in the workspace once built`,
            ]
          : [
              `cd ${where} && pnpm install && pnpm test   # the plugin kit against its fake server`,
              'pnpm build',
              `then, in your crmsync project: pnpm add ${path}   # crmsync finds installed plugins`,
            ];
        const lines = [
          `created ${where} (${made.packageName})`,
          '',
          'next:',
          ...steps.map((s) => `  ${s}`),
        ];
        if (!made.workspace && made.outside)
          lines.push(
            '',
            `${where} is not one of the packages of the workspace at ${made.outside.root}: add it to its globs to have it found there.`,
          );
        ctx.io.out(`${lines.join('\n')}\n`);
      },
    );
}
