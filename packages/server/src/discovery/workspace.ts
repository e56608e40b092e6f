import { type Dirent, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** A pnpm (`pnpm-workspace.yaml`) or npm/yarn (`"workspaces"` in package.json) workspace. */
export interface Workspace {
  root: string;
  /** Its package globs, as written (`packages/*`, `!**\/test/**`). */
  patterns: string[];
}

/** The `packages:` list of a pnpm-workspace.yaml, block (`- a/*`) or flow (`[a/*]`) style. */
export function pnpmWorkspacePatterns(yaml: string): string[] {
  const lines = yaml.split(/\r?\n/);
  const start = lines.findIndex((l) => /^packages\s*:/.test(l));
  if (start < 0) return [];
  const unquote = (s: string) => s.trim().replace(/^['"]|['"]$/g, '');
  const flow = /^packages\s*:\s*\[(.*)\]/.exec(lines[start] as string);
  if (flow) return (flow[1] as string).split(',').map(unquote).filter(Boolean);
  const patterns: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const item = /^\s*-\s*(.+?)\s*(?:#.*)?$/.exec(line);
    if (item) patterns.push(unquote(item[1] as string));
  }
  return patterns;
}

/** The nearest workspace at or above `start`, or null. */
export function findWorkspace(start: string): Workspace | null {
  let dir = resolve(start);
  for (;;) {
    const yaml = join(dir, 'pnpm-workspace.yaml');
    if (existsSync(yaml))
      return { root: dir, patterns: pnpmWorkspacePatterns(readFileSync(yaml, 'utf8')) };
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const { workspaces } = JSON.parse(readFileSync(manifest, 'utf8')) as {
          workspaces?: string[] | { packages?: string[] };
        };
        const patterns = Array.isArray(workspaces) ? workspaces : workspaces?.packages;
        if (patterns) return { root: dir, patterns };
      } catch {}
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/^\.\//, '')
    .replace(/\/+$/, '')
    .split('/')
    .map((part) =>
      part === '**'
        ? '(?:.*)'
        : part
            .split('*')
            .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^/]*'),
    )
    .join('/')
    .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
  return new RegExp(`^${body}$`);
}

/** Whether `dir` (a package folder) is one of the workspace's packages by its globs. */
export function workspaceIncludes(workspace: Workspace, dir: string): boolean {
  const rel = relative(workspace.root, resolve(dir)).split(sep).join('/');
  if (rel.startsWith('..')) return false;
  const positive = workspace.patterns.filter((p) => !p.startsWith('!'));
  const negative = workspace.patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return (
    positive.some((p) => globRegExp(p).test(rel)) && !negative.some((p) => globRegExp(p).test(rel))
  );
}

/** The workspace's package folders (those holding a package.json), sorted. */
export function workspacePackageDirs(workspace: Workspace): string[] {
  const found = new Set<string>();
  for (const pattern of workspace.patterns.filter((p) => !p.startsWith('!'))) {
    const parts = pattern.replace(/^\.\//, '').replace(/\/+$/, '').split('/');
    const fixed = parts.findIndex((p) => p.includes('*'));
    const base = join(workspace.root, ...(fixed < 0 ? parts : parts.slice(0, fixed)));
    // `a/*` looks one level down, `a/**` any depth (never into node_modules or dot folders)
    const depth = fixed < 0 ? 0 : parts.includes('**') ? 8 : parts.length - fixed;
    const visit = (dir: string, left: number) => {
      if (existsSync(join(dir, 'package.json')) && workspaceIncludes(workspace, dir))
        found.add(dir);
      if (left === 0) return;
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries)
        if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.'))
          visit(join(dir, entry.name), left - 1);
    };
    visit(base, depth);
  }
  return [...found].filter((d) => d !== workspace.root).sort();
}
